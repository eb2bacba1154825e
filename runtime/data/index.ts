/** Data sets beyond memory for training: Parquet shards read by row group, per rank. */
export { ParquetDataset } from './parquet_dataset.js';
export type { ParquetDatasetOptions } from './parquet_dataset.js';
export type { BinaryColumn, BinaryElement, ColumnSpec, ListColumn, NumberColumn, ParquetSchema, TensorColumns } from './parquet_schema.js';
export { assignGroups, planShards } from './shard_plan.js';
export type { ShardGroup, ShardPlan } from './shard_plan.js';
