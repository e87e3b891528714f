/**
 * The simulator against the real FreeSWITCH recordings: the same scenarios
 * recorded from it with ../shared/tools/esl-record.mjs and compared with
 * ../shared/tools/fidelity.mjs (per-channel event order, header names per
 * event type, +OK/-ERR of every reply). Every scenario must be `ok`. The
 * outbound socket session is compared in test/integration/outbound/
 * sim-fidelity.test.ts (it needs the recorded dialplan's fixed port 8084);
 * `node --import tsx test/support/sim-fidelity.ts` runs all 13 with the shared tools.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAPTURES_DIR, runFidelity, TOOLS_DIR } from '../../support/sim-fidelity.js';

const toolsPresent = existsSync(TOOLS_DIR) && existsSync(CAPTURES_DIR);

describe('simulator fidelity to the real recordings', () => {
  it.skipIf(!toolsPresent)(
    `matches every recorded scenario${toolsPresent ? '' : ` (skipped: ${TOOLS_DIR} not found)`}`,
    async () => {
      const report = await runFidelity({ outbound: false });
      expect([...report.skipped.keys()]).toEqual(['outbound-async-full']);
      expect(report.failed, report.output).toEqual([]);
      expect(report.lines.size).toBeGreaterThanOrEqual(13);
      for (const [name, line] of report.lines) {
        if (report.skipped.has(name)) continue;
        expect(line, name).toMatch(/^ok sequences equal; headers 100%; replies alike$/);
      }
    },
    120_000,
  );
});
