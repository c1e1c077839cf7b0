/**
 * The state file's schema in zod: the reference that state-check.ts (what a start runs, without zod) is
 * proven against in test/station/state-check.test.ts. Not imported by the running program.
 */
import { z } from 'zod';

export const stateSchema = z.object({
  mode: z.enum(['loan', 'return']).optional(),
  today: z.object({
    day: z.string(),
    loans: z.number().int().min(0),
    returns: z.number().int().min(0),
    rejections: z.number().int().min(0),
  }),
  rotations: z.array(z.object({ file: z.string(), lines: z.number().int().min(0), at: z.string() })),
});
