/**
 * The one error hierarchy of dawnflow. Every error has a stable `code` (for programs and the
 * CLI) and a one-line message that names where the problem is (op, node, input, file).
 * Lives in ir/ because every layer, the runtime included, throws these.
 */
export type ErrorCode =
  | 'MODEL_FORMAT'
  | 'UNSUPPORTED_OP'
  | 'SHAPE'
  | 'DTYPE'
  | 'GRAPH'
  | 'INPUT'
  | 'DEVICE'
  | 'OUT_OF_MEMORY'
  | 'ARTIFACT'
  | 'NUMERIC'
  | 'COMMUNICATION'
  | 'DATA'
  | 'USAGE';

export abstract class DawnflowError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bytes that are not a valid model: malformed protobuf, bad initializer data, truncation. */
export class ModelFormatError extends DawnflowError {
  readonly code = 'MODEL_FORMAT' as const;
}
/** An op (or op version, or attribute value) dawnflow does not implement. */
export class UnsupportedOpError extends DawnflowError {
  readonly code = 'UNSUPPORTED_OP' as const;
}
/** Shapes that contradict an op's contract. */
export class ShapeError extends DawnflowError {
  readonly code = 'SHAPE' as const;
}
/** Dtypes that contradict an op's contract. */
export class DTypeError extends DawnflowError {
  readonly code = 'DTYPE' as const;
}
/** A malformed graph: cycles, dangling values, duplicate definitions. */
export class GraphError extends DawnflowError {
  readonly code = 'GRAPH' as const;
}
/** Bad data handed to run(): wrong name, dtype, length, shape, non-finite where it matters. */
export class InputError extends DawnflowError {
  readonly code = 'INPUT' as const;
}
/** The GPU device: no adapter, validation errors, device loss. */
export class DeviceError extends DawnflowError {
  readonly code = 'DEVICE' as const;
}
/** An allocation the device or a limit cannot satisfy. */
export class OutOfMemoryError extends DawnflowError {
  readonly code = 'OUT_OF_MEMORY' as const;
}
/** A compiled artifact that is missing, corrupted, too new or needs what the adapter lacks. */
export class ArtifactError extends DawnflowError {
  readonly code = 'ARTIFACT' as const;
}
/** Non-finite values where they matter (loss, gradients). */
export class NumericError extends DawnflowError {
  readonly code = 'NUMERIC' as const;
}
/** A rank that died, stopped answering, or disagreed with the others on a collective's size. */
export class CommunicationError extends DawnflowError {
  readonly code = 'COMMUNICATION' as const;
}
/** A dataset that cannot be read as declared: a missing or corrupt shard, a schema mismatch. */
export class DataError extends DawnflowError {
  readonly code = 'DATA' as const;
}
/** Misuse of an API or CLI: bad flags, bad options. */
export class UsageError extends DawnflowError {
  readonly code = 'USAGE' as const;
}

export function isDawnflowError(e: unknown): e is DawnflowError {
  return e instanceof DawnflowError;
}

/**
 * The class of each code: how an error that crossed a thread, process or page boundary as plain
 * data (its code and message) becomes its typed self again. Every code is listed (tsc checks).
 */
const ERROR_CLASSES: Readonly<Record<ErrorCode, new (message: string) => DawnflowError>> = {
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

/** The error class of `code`, or undefined when it is no dawnflow code. */
export function errorClassOf(code: string | undefined): (new (message: string) => DawnflowError) | undefined {
  return code !== undefined && Object.hasOwn(ERROR_CLASSES, code) ? ERROR_CLASSES[code as ErrorCode] : undefined;
}
