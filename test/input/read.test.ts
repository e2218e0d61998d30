/**
 * The input module: every file the tool reads goes through it. Classes of hostile input,
 * each with fresh variants: non-regular files, sizes over the cap, encodings.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeText, firstInvalidUtf8, InputError, parseByteSize, readTextFile, readTextFileSync, readTextStream } from '../../src/input/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nbjob-input-'));
});
afterAll(() => {
  execFileSync('rm', ['-rf', dir]);
});

async function both(file: string, maxBytes = 1 << 20): Promise<Array<InputError | string>> {
  const out: Array<InputError | string> = [];
  try {
    out.push(readTextFileSync(file, { maxBytes }).text);
  } catch (e) {
    out.push(e as InputError);
  }
  try {
    out.push((await readTextFile(file, { maxBytes })).text);
  } catch (e) {
    out.push(e as InputError);
  }
  return out;
}

describe('only regular files are read', () => {
  it('a FIFO without a writer is refused at once, not waited on', async () => {
    const fifo = path.join(dir, 'policy.json');
    execFileSync('mkfifo', [fifo]);
    for (const r of await both(fifo)) {
      expect(r).toBeInstanceOf(InputError);
      expect((r as InputError).code).toBe('not-a-file');
      expect((r as InputError).message).toMatch(/named pipe \(FIFO\)/);
    }
  });
  it('a directory, a device, and a symlink loop are each named', async () => {
    const sub = path.join(dir, 'a-dir.json');
    mkdirSync(sub);
    const a = path.join(dir, 'loop-a.json');
    const b = path.join(dir, 'loop-b.json');
    symlinkSync(b, a);
    symlinkSync(a, b);
    const cases: Array<[string, string, RegExp]> = [
      [sub, 'not-a-file', /a directory/],
      ['/dev/zero', 'not-a-file', /a device/],
      ['/dev/null', 'not-a-file', /a device/],
      [a, 'symlink-loop', /symlink loop/],
      [path.join(dir, 'missing.json'), 'not-found', /no such file/],
      [path.join(dir, 'missing', 'x.json'), 'not-found', /no such file/],
    ];
    for (const [file, code, message] of cases) {
      for (const r of await both(file)) {
        expect(r, file).toBeInstanceOf(InputError);
        expect((r as InputError).code, file).toBe(code);
        expect((r as InputError).message, file).toMatch(message);
        expect((r as InputError).message.startsWith(file), file).toBe(true);
      }
    }
  });
});

describe('the size cap is checked before reading', () => {
  it('refuses a file one byte over the cap and reads one at the cap', async () => {
    for (const cap of [1, 17, 4096, 65_537]) {
      const at = path.join(dir, `at-${cap}.json`);
      const over = path.join(dir, `over-${cap}.json`);
      writeFileSync(at, 'x'.repeat(cap));
      writeFileSync(over, 'x'.repeat(cap + 1));
      for (const r of await both(at, cap)) expect(r).toBe('x'.repeat(cap));
      for (const r of await both(over, cap)) {
        expect((r as InputError).code).toBe('too-large');
        expect((r as InputError).message).toMatch(/--max-input-size/);
      }
    }
  });
  it('standard input stops at the cap instead of filling memory', async () => {
    // An endless stream: the read must end by refusing it.
    const endless = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(64 * 1024, 0x61);
      })(),
    );
    await expect(readTextStream(endless, { maxBytes: 1 << 20 })).rejects.toMatchObject({ code: 'too-large', file: '<stdin>' });
    const small = await readTextStream(Readable.from([Buffer.from('\ufeff{"a":1}')]), { maxBytes: 100 });
    expect(small.text).toBe('{"a":1}');
  });
  it('parses sizes as people write them', () => {
    expect(parseByteSize('10MB')).toEqual({ ok: true, bytes: 10_000_000 });
    expect(parseByteSize('64MiB')).toEqual({ ok: true, bytes: 64 * 1024 * 1024 });
    expect(parseByteSize('512k')).toEqual({ ok: true, bytes: 512 * 1024 });
    expect(parseByteSize('1048576')).toEqual({ ok: true, bytes: 1048576 });
    for (const bad of ['', 'ten', '-1', '0', '5 parsecs', '99GB']) expect(parseByteSize(bad).ok, bad).toBe(false);
  });
});

describe('one decoding for every file', () => {
  const json = '{\n  "Version": "2012-10-17",\n  "Sid": "é"\n}\n';
  it('drops a UTF-8 byte-order mark', () => {
    const r = decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]));
    expect(r).toEqual({ ok: true, text: json, encoding: 'utf-8 with BOM' });
  });
  it('decodes UTF-16 little- and big-endian, with or without a byte-order mark (PowerShell)', () => {
    const le = Buffer.from(json, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const [bytes, encoding] of [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), 'utf-16le'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'utf-16be'],
      [le, 'utf-16le'],
      [be, 'utf-16be'],
    ] as const) {
      expect(decodeText(bytes)).toEqual({ ok: true, text: json, encoding });
    }
  });
  it('names UTF-32 and truncated UTF-16 instead of decoding them as garbage', () => {
    const r32 = decodeText(Buffer.from([0xff, 0xfe, 0, 0, 0x7b, 0, 0, 0]));
    expect(r32.ok).toBe(false);
    expect(!r32.ok && r32.message).toMatch(/UTF-32/);
    const odd = decodeText(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d]));
    expect(!odd.ok && odd.message).toMatch(/UTF-16LE.*odd number of bytes/);
  });
  it('reports invalid UTF-8 with byte offset, line and column, never as U+FFFD', () => {
    const prefix = Buffer.from('{\n  "Sid": "ab');
    const badSequences = [[0xc3, 0x28], [0xff], [0x80], [0xed, 0xa0, 0x80], [0xe0, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]];
    for (const bad of badSequences) {
      const bytes = Buffer.concat([prefix, Buffer.from(bad), Buffer.from('"\n}')]);
      const r = decodeText(bytes);
      expect(r.ok, String(bad)).toBe(false);
      if (r.ok) continue;
      expect(r.position).toEqual({ line: 2, column: 13, offset: prefix.length });
      expect(r.message).toMatch(new RegExp(`byte 0x${bad[0]!.toString(16).toUpperCase()} at byte offset ${prefix.length}`));
    }
    const truncated = decodeText(Buffer.concat([Buffer.from('"é'), Buffer.from([0xe2, 0x82])]));
    expect(!truncated.ok && truncated.message).toMatch(/ends inside a character/);
    expect(!truncated.ok && truncated.position).toEqual({ line: 1, column: 3, offset: 3 });
  });
  it('finds the first invalid byte the way the platform decoder does (random bytes)', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    let invalid = 0;
    for (let n = 0; n < 2000; n++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(Math.random() * 12) }, () => Math.floor(Math.random() * 256)));
      const at = firstInvalidUtf8(bytes);
      let valid = true;
      try {
        fatal.decode(bytes);
      } catch {
        valid = false;
      }
      expect(at === -1, bytes.toString('hex')).toBe(valid);
      if (at >= 0) {
        invalid++;
        // Everything before the reported byte is valid UTF-8 on its own.
        expect(() => fatal.decode(bytes.subarray(0, at)), bytes.toString('hex')).not.toThrow();
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});
