import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueKey } from '../../src/watch/http/check-json.js';

test('unique_key is derived as Healthchecks derives it: SHA-1 of the first 16 hex digits of the uuid', () => {
  // hashlib.sha1(uuid.UUID('5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11').hex[:16].encode()).hexdigest()
  assert.equal(uniqueKey('5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11'), 'c477537622f86d14d12bd3d0d49f239d041f239e');
  assert.equal(uniqueKey('5B5CF3F2-0A6E-4C6F-9D7E-3C1B2A9F0E11'), 'c477537622f86d14d12bd3d0d49f239d041f239e');
});
