/**
 * The simulator against the real FreeSWITCH recordings: the same scenarios
 * recorded from it with ../shared/tools/esl-record.mjs and compared with
 * ../shared/tools/fidelity.mjs (per-channel event order, header names per
 * event type, +OK/-ERR of every reply). Every scenario but outbound sockets
 * (not simulated yet) must be `ok`.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAPTURES_DIR, NOT_SIMULATED, runFidelity, TOOLS_DIR } from '../../support/sim-fidelity.js';

const toolsPresent = existsSync(TOOLS_DIR) && existsSync(CAPTURES_DIR);

describe('simulator fidelity to the real recordings', () => {
  it.skipIf(!toolsPresent)(
    `matches every recorded scenario except ${[...NOT_SIMULATED].join(', ')}${toolsPresent ? '' : ` (skipped: ${TOOLS_DIR} not found)`}`,
    async () => {
      const report = await runFidelity();
      expect(report.failed, report.output).toEqual([]);
      expect(report.lines.size).toBeGreaterThanOrEqual(12);
      for (const [name, line] of report.lines) {
        if (NOT_SIMULATED.has(name)) continue;
        expect(line, name).toMatch(/^ok sequences equal; headers 100%; replies alike$/);
      }
    },
    120_000,
  );
});
