import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The import boundaries in eslint.config.js, shown to fire: snippets linted with the repository's
// own config as if they were files at representative paths (nothing is written). Type-aware
// rules are off here, so the files need not exist; only no-restricted-imports runs.

const ROOT = resolve(import.meta.dirname, '../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: [tseslint.configs.disableTypeChecked],
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
});

/** The no-restricted-imports messages for `code` placed at `filePath` (relative to the root). */
async function restrictions(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  if (!result) throw new Error(`no lint result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${filePath}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const STAND_INS = /never imports the local stand-ins/;
const TEST_SUPPORT = /Test support is for tests and benches/;
const OTHER_APP = /An app never imports the other app/;
const OWN_PACKAGE = /Relative imports stay inside their package/;
const TEST_FILES = /never imports tests, benches or their helpers/;
const MONEY_MODELS = /reached through their repository/;
const NO_APPS = /Packages never depend on the apps/;

describe('import boundaries (make lint)', () => {
  it('when product code imports the stand-ins or test support, then lint fails', async () => {
    expect(
      await restrictions(
        'apps/api/src/boundary.ts',
        "import { freePort } from '@storefront/devstack';",
      ),
    ).toEqual([expect.stringMatching(STAND_INS)]);
    expect(
      await restrictions(
        'apps/worker/src/webhooks/boundary.ts',
        "import { testConfig } from '@storefront/devstack/test-harness';",
      ),
    ).toEqual([expect.stringMatching(STAND_INS)]);
    expect(
      await restrictions(
        'packages/shared/src/boundary.ts',
        "export { freePort } from '@storefront/devstack';",
      ),
    ).toEqual([expect.stringMatching(STAND_INS)]);
    expect(
      await restrictions(
        'apps/api/src/boundary.ts',
        "import { eventually } from '@storefront/test-support';",
      ),
    ).toEqual([expect.stringMatching(TEST_SUPPORT)]);
    expect(
      await restrictions(
        'apps/worker/src/boundary.ts',
        "import { seedOrder } from '../test/helpers/fixtures.ts';",
      ),
    ).toEqual([expect.stringMatching(TEST_FILES)]);
    expect(
      await restrictions(
        'packages/shared/src/orders/boundary.ts',
        "import { x } from './order-state.test.ts';",
      ),
    ).toEqual([expect.stringMatching(TEST_FILES)]);
  });

  it('when unit tests beside the code use the devstack test harness, then lint allows it', async () => {
    const harness = "import { testConfig } from '@storefront/devstack/test-harness';";
    expect(await restrictions('packages/shared/src/crypto/boundary.test.ts', harness)).toEqual([]);
    expect(await restrictions('apps/api/src/security/boundary.test.ts', harness)).toEqual([]);
  });

  it('when an app imports the other app, then lint fails in product code and allows the entry point in tests', async () => {
    expect(
      await restrictions(
        'apps/api/src/boundary.ts',
        "import { startWorker } from '@storefront/worker';",
      ),
    ).toEqual([expect.stringMatching(OTHER_APP)]);
    expect(
      await restrictions(
        'apps/worker/src/boundary.ts',
        "import { startApi } from '@storefront/api';",
      ),
    ).toEqual([expect.stringMatching(OTHER_APP)]);
    expect(
      await restrictions(
        'apps/api/test/boundary.test.ts',
        [
          "import { startWorker } from '@storefront/worker';",
          "import { eventually } from '@storefront/test-support';",
          "import { orderModel } from '@storefront/shared';",
        ].join('\n'),
      ),
    ).toEqual([]);
    expect(
      await restrictions(
        'apps/worker/bench/boundary.ts',
        "import { TokenService } from '@storefront/api';",
      ),
    ).toEqual([]);
  });

  it('when a relative path leaves its package, then lint fails wherever the file is', async () => {
    const cases: Array<[string, string]> = [
      ['apps/api/src/checkout/boundary.ts', '../../../worker/src/index.ts'],
      ['apps/api/test/security/boundary.test.ts', '../../../worker/test/helpers/fixtures.ts'],
      ['apps/worker/test/boundary.test.ts', '../../api/src/auth/token.service.ts'],
      ['apps/api/bench/boundary.ts', '../../worker/bench/bench-stats.ts'],
      ['apps/api/src/boundary.ts', '../../../packages/devstack/src/index.ts'],
      ['packages/shared/src/boundary.ts', '../../devstack/src/index.ts'],
      ['packages/devstack/src/boundary.ts', '../../../apps/api/src/index.ts'],
      ['tests/chaos/boundary.ts', '../../apps/api/test/helpers/payments.ts'],
      ['tests/load/boundary.ts', '../../packages/test-support/src/prom-text.ts'],
    ];
    for (const [file, from] of cases) {
      expect(await restrictions(file, `import { x } from '${from}';`), file).toEqual([
        expect.stringMatching(OWN_PACKAGE),
      ]);
    }
    // Inside a package, and to the repository's scripts, relative paths are fine.
    expect(
      await restrictions(
        'apps/api/test/storefront/boundary.test.ts',
        "import { startApi } from '../../src/server.ts';",
      ),
    ).toEqual([]);
    expect(
      await restrictions(
        'apps/api/bench/boundary.ts',
        "import { seedDemo } from '../../../scripts/seed-demo.ts';",
      ),
    ).toEqual([]);
  });

  it('when shared or devstack import an app or test support, then lint fails', async () => {
    expect(
      await restrictions(
        'packages/shared/src/boundary.ts',
        "import { startApi } from '@storefront/api';",
      ),
    ).toEqual([expect.stringMatching(NO_APPS)]);
    expect(
      await restrictions(
        'packages/shared/test/boundary.test.ts',
        "import type { RunningWorker } from '@storefront/worker';",
      ),
    ).toEqual([expect.stringMatching(NO_APPS)]);
    expect(
      await restrictions(
        'packages/devstack/src/boundary.ts',
        "import { startWorker } from '@storefront/worker';",
      ),
    ).toEqual([expect.stringMatching(NO_APPS)]);
    expect(
      await restrictions(
        'packages/devstack/test/boundary.test.ts',
        "import { eventually } from '@storefront/test-support';",
      ),
    ).toEqual([expect.stringMatching(TEST_SUPPORT)]);
    expect(
      await restrictions(
        'packages/shared/test/boundary.test.ts',
        "import { eventually } from '@storefront/test-support';",
      ),
    ).toEqual([expect.stringMatching(TEST_SUPPORT)]);
  });

  it('when product code names a money-path model outside its repository, then lint fails', async () => {
    for (const model of [
      'orderModel',
      'transactionModel',
      'webhookEventModel',
      'webhookDlqModel',
      'deliveryModel',
    ]) {
      expect(
        await restrictions(
          'apps/worker/src/boundary.ts',
          `import { ${model} } from '@storefront/shared';`,
        ),
        model,
      ).toEqual([expect.stringMatching(MONEY_MODELS)]);
    }
    expect(
      await restrictions(
        'packages/shared/src/payments/payment-outcomes.ts',
        "import { orderModel } from '../orders/order.model.ts';",
      ),
    ).toEqual([expect.stringMatching(MONEY_MODELS)]);
    expect(
      await restrictions(
        'packages/shared/src/dlq/dlq.service.ts',
        "import { webhookDlqModel } from './webhook-dlq.model.ts';",
      ),
    ).toEqual([expect.stringMatching(MONEY_MODELS)]);
    expect(
      await restrictions(
        'packages/shared/src/db/boundary.ts',
        "export * from '../deliveries/delivery.model.ts';",
      ),
    ).toEqual([expect.stringMatching(MONEY_MODELS)]);
  });

  it('when a repository, the index builder or the package entry uses a model, or anyone imports only its types, then lint allows it', async () => {
    const allowed: Array<[string, string]> = [
      [
        'packages/shared/src/orders/order.repository.ts',
        "import { orderModel, type Order } from './order.model.ts';",
      ],
      [
        'packages/shared/src/payments/transaction.repository.ts',
        "import { transactionModel } from './transaction.model.ts';",
      ],
      [
        'packages/shared/src/webhooks/webhook-event.repository.ts',
        "import { webhookEventModel } from './webhook-event.model.ts';",
      ],
      [
        'packages/shared/src/dlq/webhook-dlq.repository.ts',
        "import { webhookDlqModel } from './webhook-dlq.model.ts';",
      ],
      [
        'packages/shared/src/deliveries/delivery.repository.ts',
        "import { deliveryModel } from './delivery.model.ts';",
      ],
      [
        'packages/shared/src/db/indexes.ts',
        "import { orderModel } from '../orders/order.model.ts';",
      ],
      ['packages/shared/src/index.ts', "export * from './orders/order.model.ts';"],
      [
        'packages/shared/src/payments/payment-outcomes.ts',
        "import type { Order } from '../orders/order.model.ts';",
      ],
      [
        'apps/worker/src/boundary.ts',
        "import { createRepositories, type Order } from '@storefront/shared';",
      ],
      ['packages/shared/test/boundary.test.ts', "import { orderModel } from '../src/index.ts';"],
    ];
    for (const [file, code] of allowed) expect(await restrictions(file, code), file).toEqual([]);
  });
});
