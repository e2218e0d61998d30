/**
 * Step numbers that name one step. A step's number is its row of the flow table
 * (docs/notebook-job-flow.md §4); where one row makes several requests (#36: four
 * CloudWatch Logs calls), each gets a letter, fixed here per step id so a step keeps its
 * number in every variant and setup (`#39a` stays `#39a` when the output key, `#39b`, is
 * not in the flow). test/notebook-jobs/step-numbers.test.ts fails, naming the ids, when a
 * new step shares a row and has no entry here.
 */
import type { FlowStep } from './flow.js';

export const SUB_NUMBERS: Readonly<Record<string, string>> = {
  'form.describe-profile': '#2a',
  'form.describe-domain': '#2b',
  'form.describe-app': '#2c',
  'form.list-domains': '#2d',
  'form.describe-subnets': '#3a',
  'form.describe-route-tables': '#3b',
  'form.describe-security-groups': '#3c',
  'form.create-bucket': '#5a',
  'form.put-encryption-configuration': '#5b',
  'form.put-bucket-versioning': '#5c',
  'submit.bucket-location': '#8a',
  'submit.bucket-location-output': '#8b',
  'submit.rollback-delete-input': '#13a',
  'schedule.rollback-delete-pipeline': '#13b',
  'schedule.rollback-delete-rule': '#13c',
  'submit.describe-output-key': '#17a',
  'submit.describe-volume-key': '#17b',
  'run.create-training-job': '#28a',
  'run.describe-training-job': '#28b',
  'run.create-network-interface': '#32a',
  'run.create-network-interface-permission': '#32b',
  'run.delete-network-interface': '#32c',
  'run.delete-network-interface-permission': '#32d',
  'run.describe-network-interfaces': '#32e',
  'run.describe-vpcs': '#32f',
  'run.describe-dhcp-options': '#32g',
  'run.describe-subnets': '#32h',
  'run.describe-security-groups': '#32i',
  'run.ecr-auth': '#33a',
  'run.ecr-batch-check-layer-availability': '#33b',
  'run.ecr-get-download-url-for-layer': '#33c',
  'run.ecr-batch-get-image': '#33d',
  'run.list-input': '#34a',
  'run.get-input': '#34b',
  'run.input-bucket-key-decrypt': '#34c',
  'run.create-log-group': '#36a',
  'run.describe-log-streams': '#36b',
  'run.create-log-stream': '#36c',
  'run.put-log-events': '#36d',
  'run.driver-get-bucket-location': '#37a',
  'run.driver-list-bucket': '#37b',
  'run.driver-get-object': '#37c',
  'submit.upload-input': '#10a',
  'submit.input-bucket-key-generate': '#10b',
  'run.put-output': '#39a',
  'run.output-key-generate': '#39b',
  'run.output-key-encrypt': '#39c',
  'run.output-key-decrypt-multipart': '#39d',
  'manage.describe-training-job': '#41a',
  'manage.list-job-tags': '#41b',
  'manage.describe-rule': '#42a',
  'manage.describe-pipeline': '#42b',
  'manage.list-pipeline-tags': '#42c',
  'manage.list-rule-tags': '#42d',
  'manage.download-output': '#43a',
  'manage.output-key-decrypt': '#43b',
  'manage.stop-training-job': '#44a',
  'manage.archive-job': '#44b',
  'manage.edit-rule': '#45a',
  'manage.disable-rule': '#45b',
  'manage.enable-rule': '#45c',
  'manage.update-pipeline': '#45d',
  'manage.pass-job-role-update': '#45e',
  'manage.delete-pipeline-tags': '#45f',
  'manage.untag-rule': '#45g',
  'manage.remove-targets': '#46a',
  'manage.delete-rule': '#46b',
  'manage.delete-pipeline': '#46c',
  'manage.list-pipeline-executions': '#46d',
  'manage.stop-pipeline-execution': '#46e',
};

/** The flow with each step's number made unique (`SUB_NUMBERS`). */
export function numberUniquely(steps: readonly FlowStep[]): FlowStep[] {
  return steps.map((s) => {
    const n = SUB_NUMBERS[s.id];
    return n === undefined || n === s.number ? s : { ...s, number: n };
  });
}
