// gateway_filesystem.test.mjs — the real SDK client -> authz-gateway -> the
// real server-filesystem, with a policy that confines each user to their home
// directory: reads and writes inside it work exactly as without the gateway;
// `..` traversal, absolute paths outside, prefix look-alikes and other
// path tricks are refused before the server sees them, in a multi-file read
// as soon as one path of the list is outside; tools the policy does
// not allow raise McpError -32602; the audit log redacts file contents and
// verifies.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';

import { McpError } from '@modelcontextprotocol/sdk/types.js';

import {
  auditRecords, buildPolicy, callTool, closeAll, connectDirect, connectGateway, listAllTools,
  recordedToolCalls, scratchDir, servers, verifyAudit,
} from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };

describe('gateway confining server-filesystem users to their home', TEST_TIMEOUT, () => {
  let dir, root, bobHome, carolHome, direct, bob;
  let sentCalls = 0;
  const send = async (name, args) => {
    sentCalls += 1;
    return callTool(bob.client, name, args);
  };

  before(async () => {
    dir = scratchDir();
    root = join(dir, 'srv');
    bobHome = join(root, 'home', 'u-bob');
    carolHome = join(root, 'home', 'u-carol');
    for (const path of [join(bobHome, 'sub'), carolHome, join(root, 'home', 'u-bob-evil')]) mkdirSync(path, { recursive: true });
    writeFileSync(join(bobHome, 'notes.txt'), 'bob\'s notes\nline 2\n');
    writeFileSync(join(bobHome, 'sub', 'deep.txt'), 'deep\n');
    writeFileSync(join(carolHome, 'secret.txt'), 'carol\'s secret\n');
    writeFileSync(join(root, 'home', 'u-bob-evil', 'x.txt'), 'look-alike\n');
    writeFileSync(join(root, 'outside.txt'), 'outside\n');

    const table = buildPolicy('filesystem', dir);
    direct = await connectDirect(servers.filesystem(root));
    bob = await connectGateway({
      table, user: 'u-bob', attributes: { home: bobHome }, audit: join(dir, 'bob.audit.jsonl'),
      record: join(dir, 'bob.received.jsonl'), server: servers.filesystem(root),
    });
  });
  after(closeAll);

  test('reads inside the home directory equal the direct results', TEST_TIMEOUT, async () => {
    for (const [name, args] of [
      ['read_text_file', { path: join(bobHome, 'notes.txt') }],
      ['read_text_file', { path: join(bobHome, 'notes.txt'), head: 1 }],
      ['list_directory', { path: bobHome }],
      ['read_text_file', { path: join(bobHome, 'sub', '..', 'notes.txt') }],  // `..` that stays inside
      ['list_allowed_directories', {}],
    ]) {
      const expected = await callTool(direct.client, name, args);
      const actual = await send(name, args);
      assert.deepEqual(actual, expected, `${name} ${JSON.stringify(args)}`);
      assert.notEqual(actual.isError, true);
    }
  });

  test('a write inside the home directory happens, and its content is redacted in the audit log', TEST_TIMEOUT, async () => {
    const path = join(bobHome, 'new.txt');
    const result = await send('write_file', { path, content: 'top secret content' });
    assert.notEqual(result.isError, true, JSON.stringify(result));
    assert.equal(readFileSync(path, 'utf8'), 'top secret content');
    const record = auditRecords(bob.auditPath).find((r) => r.target === 'write_file');
    assert.deepEqual(record.arguments, { path, content: '[redacted]' });
    assert.ok(!readFileSync(bob.auditPath, 'utf8').includes('top secret content'));
  });

  test('paths that leave the home directory are refused before the server sees them', TEST_TIMEOUT, async () => {
    const tricks = [
      join(bobHome, '..', 'u-carol', 'secret.txt'),             // plain traversal
      `${bobHome}/../u-carol/secret.txt`,
      `${bobHome}/./../u-carol/secret.txt`,
      `${bobHome}//..//u-carol//secret.txt`,                    // doubled separators
      `${bobHome}/sub/../../u-carol/secret.txt`,                // traversal from deeper down
      `${bobHome}/sub/../../../outside.txt`,
      `${bobHome}/..`,                                          // the parent itself
      `${bobHome}/../../home/u-carol/secret.txt`,
      join(root, 'outside.txt'),                                // absolute, outside
      '/etc/passwd',
      join(root, 'home', 'u-bob-evil', 'x.txt'),                // prefix look-alike
      `${bobHome}-evil/x.txt`,
      'home/u-bob/notes.txt',                                   // relative: not under an absolute home
      '../u-carol/secret.txt',
      `${bobHome}/sub/x\u0000/../../../u-carol/secret.txt`,    // NUL inside a segment
    ];
    const before = recordedToolCalls(bob.recordPath).length;
    for (const path of tricks) {
      const result = await send('read_text_file', { path });
      assert.equal(result.isError, true, `read of ${JSON.stringify(path)} must be refused: ${JSON.stringify(result)}`);
      assert.ok(!JSON.stringify(result).includes("carol's secret"), 'the refusal does not leak the file');
    }
    for (const path of [join(carolHome, 'planted.txt'), `${bobHome}/../u-carol/planted.txt`]) {
      const result = await send('write_file', { path, content: 'x' });
      assert.equal(result.isError, true);
    }
    const moved = await send('create_directory', { path: `${bobHome}/../u-carol/newdir` });
    assert.equal(moved.isError, true);
    assert.equal(recordedToolCalls(bob.recordPath).length, before, 'the server saw none of them');
  });

  test('a multi-file read with every path inside the home equals the direct result', TEST_TIMEOUT, async () => {
    const args = { paths: [join(bobHome, 'notes.txt'), join(bobHome, 'sub', 'deep.txt'), `${bobHome}/sub/../notes.txt`] };
    const expected = await callTool(direct.client, 'read_multiple_files', args);
    const actual = await send('read_multiple_files', args);
    assert.deepEqual(actual, expected);
    assert.notEqual(actual.isError, true);
    assert.ok(JSON.stringify(actual).includes('deep'), JSON.stringify(actual));
  });

  test('a multi-file read with one path outside the home is refused whole, before the server sees it', TEST_TIMEOUT, async () => {
    const inside = join(bobHome, 'notes.txt');
    const outside = [
      join(bobHome, '..', 'u-carol', 'secret.txt'),
      `${bobHome}/sub/../../u-carol/secret.txt`,
      `${bobHome}//..//u-carol//secret.txt`,
      join(carolHome, 'secret.txt'),                            // absolute, elsewhere
      '/etc/passwd',
      `${bobHome}-evil/x.txt`,                                  // prefix look-alike
      '../u-carol/secret.txt',                                  // relative
      `${bobHome}/sub/x\u0000/../../../u-carol/secret.txt`,
    ];
    const before = recordedToolCalls(bob.recordPath).length;
    for (const path of outside) {
      for (const paths of [[inside, path], [path, inside], [inside, inside, path]]) {
        const result = await send('read_multiple_files', { paths });
        assert.equal(result.isError, true, `read of ${JSON.stringify(paths)} must be refused: ${JSON.stringify(result)}`);
        assert.ok(!JSON.stringify(result).includes("carol's secret"), 'the refusal does not leak the file');
        assert.ok(!JSON.stringify(result).includes("bob's notes"), 'nothing of the list is read');
      }
    }
    assert.equal(recordedToolCalls(bob.recordPath).length, before, 'the server saw none of them');
  });

  test('tools the policy does not allow raise McpError -32602 and never reach the server', TEST_TIMEOUT, async () => {
    const before = recordedToolCalls(bob.recordPath).length;
    for (const [name, args] of [
      ['move_file', { source: join(bobHome, 'notes.txt'), destination: join(bobHome, 'moved.txt') }],
    ]) {
      await assert.rejects(send(name, args), (error) => {
        assert.ok(error instanceof McpError, String(error));
        assert.equal(error.code, -32602);
        assert.equal(error.data?.tool, name);
        return true;
      });
    }
    assert.equal(recordedToolCalls(bob.recordPath).length, before);
  });

  test('tools/list offers exactly the tools the policy could allow', TEST_TIMEOUT, async () => {
    const all = await listAllTools(direct.client);
    const allowed = ['read_file', 'read_text_file', 'read_media_file', 'read_multiple_files', 'list_directory', 'list_directory_with_sizes',
                     'directory_tree', 'search_files', 'get_file_info', 'list_allowed_directories', 'write_file',
                     'edit_file', 'create_directory'];
    assert.deepEqual(await listAllTools(bob.client), all.filter((tool) => allowed.includes(tool.name)));
  });

  test('the audit log has one record per tools/call and verifies', TEST_TIMEOUT, async () => {
    const records = auditRecords(bob.auditPath);
    assert.equal(records.filter((r) => r.method === 'tools/call').length, sentCalls);
    assert.ok(records.every((r) => r.user === 'u-bob'));
    const { exitCode, report } = verifyAudit(bob.auditPath);
    assert.equal(exitCode, 0, JSON.stringify(report));
    assert.equal(report.records, records.length);
    // Anchored to the current head, it still verifies; to a made-up head, it fails.
    assert.equal(verifyAudit(bob.auditPath, ['--expect-head', records.at(-1).hash]).exitCode, 0);
    assert.equal(verifyAudit(bob.auditPath, ['--expect-head', 'f'.repeat(64)]).exitCode, 1);
  });
});
