import {
  ArtifactError,
  CommunicationError,
  DataError,
  type DawnflowError,
  DeviceError,
  DTypeError,
  type ErrorCode,
  GraphError,
  InputError,
  ModelFormatError,
  NumericError,
  OutOfMemoryError,
  ShapeError,
  UnsupportedOpError,
  UsageError,
} from '../../ir/errors.js';
import type { WireError } from './wire.js';

/** The typed error a page reported, as the same class in Node (by its stable code; every code is listed, tsc checks). */

const BY_CODE: Readonly<Record<ErrorCode, new (message: string) => DawnflowError>> = {
  MODEL_FORMAT: ModelFormatError,
  UNSUPPORTED_OP: UnsupportedOpError,
  SHAPE: ShapeError,
  DTYPE: DTypeError,
  GRAPH: GraphError,
  INPUT: InputError,
  DEVICE: DeviceError,
  OUT_OF_MEMORY: OutOfMemoryError,
  ARTIFACT: ArtifactError,
  NUMERIC: NumericError,
  COMMUNICATION: CommunicationError,
  DATA: DataError,
  USAGE: UsageError,
};

/** A page error as a dawnflow error: the class of its code; anything untyped as a DeviceError naming the browser. */
export function errorFromPage(error: WireError): DawnflowError {
  const typed = error.code !== undefined && error.code in BY_CODE ? BY_CODE[error.code as ErrorCode] : undefined;
  return typed ? new typed(error.message) : new DeviceError(`in the browser: ${error.name}: ${error.message.split('\n')[0]}`);
}
