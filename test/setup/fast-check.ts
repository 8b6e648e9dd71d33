/**
 * Property tests draw their cases from one fixed seed, so a run is reproducible and CI never
 * flakes on a case drawn for the first time; FC_SEED=<n> explores other cases (fast-check
 * prints the seed and path of any failure to replay it).
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env['FC_SEED'] ?? 20240607) });
