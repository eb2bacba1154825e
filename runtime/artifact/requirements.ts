import { ArtifactError } from '../../ir/errors.js';
import type { PlanRequirements } from '../../ir/plan.js';
import type { DawnDevice } from '../device.js';
import { PLAN_FILE } from '../../ir/artifact_format.js';

/**
 * An artifact may have been compiled elsewhere: before any GPU work, check that this device has
 * every feature and limit the plan records, and name the first one that falls short.
 */
export function checkArtifactRequirements(requirements: PlanRequirements, device: Pick<DawnDevice, 'features' | 'limits' | 'adapterDescription'>): void {
  const adapter = `the device (${device.adapterDescription})`;
  for (const feature of requirements.features) {
    if (!device.features.has(feature)) {
      throw new ArtifactError(`${PLAN_FILE}: the artifact requires the feature '${feature}', which ${adapter} lacks`);
    }
  }
  for (const [name, needed] of Object.entries(requirements.limits)) {
    const have = device.limits[name];
    if (have === undefined) throw new ArtifactError(`${PLAN_FILE}: the artifact requires the limit ${name} = ${needed}, which ${adapter} does not report`);
    // min* limits are alignments (the adapter's must be no coarser); max* limits are capacities.
    const atMost = name.startsWith('min');
    if (atMost ? have > needed : have < needed) {
      throw new ArtifactError(`${PLAN_FILE}: the artifact requires the limit ${name} ${atMost ? '<=' : '>='} ${needed}, but ${adapter} has ${have}`);
    }
  }
}
