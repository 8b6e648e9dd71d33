/**
 * A run as one self-contained JSON document: its record, every metric, event and snapshot.
 * Importing it recreates the run (with new ids) in any store.
 */
import { z } from 'zod';
import { EventRecordSchema, MetricSchema, RunDetailSchema, SnapshotSchema } from './records';

export const RUN_EXPORT_FORMAT = 'dmm-lab-run';

export const RunExportSchema = z.object({
  format: z.literal(RUN_EXPORT_FORMAT),
  version: z.literal(1),
  run: RunDetailSchema,
  metrics: z.array(MetricSchema),
  events: z.array(EventRecordSchema),
  snapshots: z.array(SnapshotSchema),
});
export type RunExport = z.infer<typeof RunExportSchema>;
