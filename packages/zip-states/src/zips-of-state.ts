import { zipStateTable } from './zip-state-table';

let byState: Map<string, number[]> | undefined;

/** Every ZIP (as a number, ascending) the data set gives to `state`: what a synthetic contact of that state draws from. */
export const zipsOfState = (state: string): readonly number[] => {
  if (byState === undefined) {
    const { states, stateIndexByZip } = zipStateTable();
    byState = new Map(states.map((code) => [code, [] as number[]]));
    for (let zip = 0; zip < stateIndexByZip.length; zip++) {
      const index = stateIndexByZip[zip]!;
      if (index !== 0) byState.get(states[index - 1]!)!.push(zip);
    }
  }
  return byState.get(state) ?? [];
};

/** The state codes present in the data set. */
export const zipDataStates = (): readonly string[] => zipStateTable().states;
