import { describe, expect, it } from 'vitest';
import {
  ArtifactError,
  CommunicationError,
  DataError,
  DeviceError,
  DTypeError,
  GraphError,
  InputError,
  ModelFormatError,
  NumericError,
  OutOfMemoryError,
  ShapeError,
  UnsupportedOpError,
  UsageError,
} from '../../ir/errors.js';
import { errorFromJson, errorToJson } from '../../runtime/distributed/rank_protocol.js';

describe('rank protocol errors', () => {
  const classes = [ModelFormatError, UnsupportedOpError, ShapeError, DTypeError, GraphError, InputError, DeviceError, OutOfMemoryError, ArtifactError, NumericError, CommunicationError, DataError, UsageError];

  it.each(classes.map((c) => [c.name, c] as const))('a %s thrown on a rank comes back as its own class, message and stack kept', (_, Kind) => {
    const thrown = new Kind('rank 1: something named');
    const back = errorFromJson(errorToJson(thrown));
    expect(back).toBeInstanceOf(Kind);
    expect((back as InstanceType<typeof Kind>).code).toBe(thrown.code);
    expect(back.message).toBe(thrown.message);
    expect(back.stack).toBe(thrown.stack);
  });

  it('an error of another kind, or an unknown code, comes back as a plain Error with its name', () => {
    const back = errorFromJson(errorToJson(new RangeError('out of range')));
    expect(back).not.toBeInstanceOf(DeviceError);
    expect(back.name).toBe('RangeError');
    expect(back.message).toBe('out of range');
    const odd = errorFromJson({ name: 'Weird', code: 'toString', message: 'm' });
    expect(odd.constructor).toBe(Error);
    expect(odd.name).toBe('Weird');
  });
});
