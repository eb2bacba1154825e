import { type DawnflowError, DeviceError, errorClassOf } from '../../ir/errors.js';
import type { WireError } from './wire.js';

/** A page error as a dawnflow error: the class of its stable code; anything untyped as a DeviceError naming the browser. */
export function errorFromPage(error: WireError): DawnflowError {
  const typed = errorClassOf(error.code);
  return typed ? new typed(error.message) : new DeviceError(`in the browser: ${error.name}: ${error.message.split('\n')[0]}`);
}
