import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeObject, encodeObject } from '../../../src/cluster/sim/api/protobuf/envelope.js';

const FIXTURES = join(import.meta.dirname, 'protobuf-fixtures');
const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pb'))
  .map((f) => f.slice(0, -3));

describe('upstream vectors', () => {
  it.each(names)('%s', (name) => {
    const pb = readFileSync(join(FIXTURES, `${name}.pb`));
    const json = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
    expect(decodeObject(pb)).toEqual(json);
    expect(encodeObject(json)!.toString('hex')).toBe(pb.toString('hex'));
  });
});
