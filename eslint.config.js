// Type-aware lint over every workspace. Rules chosen for a payments service:
// floating promises and misused promises lose errors; non-exhaustive switches lose states.
// Below them, the boundaries between packages (docs/architecture.md, "Boundaries").
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ---- Boundaries -------------------------------------------------------------------------------
// `no-restricted-imports` takes its options from the last config object that matches a file, so
// each area below lists every restriction that holds for it. tests/lint/boundaries.test.ts shows
// each one firing.

/** The mongoose models of the money path: only their repositories (and tests) touch them. */
const MONEY_MODELS = [
  'orderModel',
  'transactionModel',
  'webhookEventModel',
  'webhookDlqModel',
  'deliveryModel',
];
const MONEY_MODELS_MESSAGE =
  'Money-path collections are reached through their repository (createRepositories), which is ' +
  'the only code that names the model.';

/** A relative path that leaves its workspace package (into apps/, packages/ or a sibling). */
const STAY_IN_PACKAGE = {
  patterns: [
    {
      regex: '^(\\.\\./)+((apps|packages)|api|worker|shared|devstack|test-support)(/|$)',
      message:
        'Relative imports stay inside their package: import another package by its name ' +
        '(@storefront/…) and only what its entry point exports.',
    },
  ],
};
const NO_DEVSTACK = {
  patterns: [
    {
      regex: '^@storefront/devstack(/|$)',
      message: 'Product code never imports the local stand-ins (dev and tests only).',
    },
  ],
};
const NO_TEST_SUPPORT = {
  patterns: [
    {
      regex: '^@storefront/test-support(/|$)',
      message: 'Test support is for tests and benches of the apps and the suites under tests/.',
    },
  ],
};
const NO_TEST_FILES = {
  patterns: [
    {
      regex: '^\\.\\.?/(.*/)?(test|tests|bench)/|\\.test(\\.ts)?$',
      message: 'Product code never imports tests, benches or their helpers.',
    },
  ],
};
const NO_APPS = {
  patterns: [
    {
      regex: '^@storefront/(api|worker)(/|$)',
      message: 'Packages never depend on the apps; the apps depend on them.',
    },
  ],
};
/** Product code of one app never uses the other app; tests and benches may, by its entry. */
const noOtherApp = (other) => ({
  patterns: [
    {
      regex: `^@storefront/${other}(/|$)`,
      message: 'An app never imports the other app; shared code belongs in @storefront/shared.',
    },
  ],
});
const NO_MONEY_MODELS_BY_NAME = {
  paths: [{ name: '@storefront/shared', importNames: MONEY_MODELS, message: MONEY_MODELS_MESSAGE }],
};
const NO_MONEY_MODELS_RELATIVE = {
  patterns: [
    {
      regex: '(^|/)(order|transaction|webhook-event|webhook-dlq|delivery)\\.model(\\.ts)?$',
      importNames: MONEY_MODELS,
      message: MONEY_MODELS_MESSAGE,
    },
  ],
};

/** One area's restrictions, merged into the rule's options. */
const boundary = (files, restrictions, ignores = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: restrictions.flatMap((r) => r.paths ?? []),
        patterns: restrictions.flatMap((r) => r.patterns ?? []),
      },
    ],
  },
});

const UNIT_TESTS = ['**/*.test.ts'];
const SHARED_PRODUCT = [STAY_IN_PACKAGE, NO_APPS, NO_TEST_SUPPORT, NO_DEVSTACK, NO_TEST_FILES];
const appProduct = (other) => [
  STAY_IN_PACKAGE,
  NO_DEVSTACK,
  NO_TEST_SUPPORT,
  NO_TEST_FILES,
  noOtherApp(other),
  NO_MONEY_MODELS_BY_NAME,
];

const boundaries = [
  // Everything, tests and scripts included: no reaching into another package's files.
  boundary(['**/*.ts', '**/*.js'], [STAY_IN_PACKAGE]),
  boundary(['packages/devstack/**'], [STAY_IN_PACKAGE, NO_APPS, NO_TEST_SUPPORT]),
  // shared's own tests (beside the code and in test/) may use the devstack test harness.
  boundary(['packages/shared/**'], [STAY_IN_PACKAGE, NO_APPS, NO_TEST_SUPPORT]),
  boundary(['packages/shared/src/**'], [...SHARED_PRODUCT, NO_MONEY_MODELS_RELATIVE], UNIT_TESTS),
  boundary(
    [
      'packages/shared/src/orders/order.repository.ts',
      'packages/shared/src/payments/transaction.repository.ts',
      'packages/shared/src/webhooks/webhook-event.repository.ts',
      'packages/shared/src/dlq/webhook-dlq.repository.ts',
      'packages/shared/src/deliveries/delivery.repository.ts',
      'packages/shared/src/db/indexes.ts',
      // The package entry re-exports the models for tests, benches and seed scripts.
      'packages/shared/src/index.ts',
    ],
    SHARED_PRODUCT,
  ),
  boundary(['apps/api/src/**'], appProduct('worker'), UNIT_TESTS),
  boundary(['apps/worker/src/**'], appProduct('api'), UNIT_TESTS),
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'tests/load/results/**', 'tests/load/*.k6.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  ...boundaries,
  {
    // The browser scripts of the pages and the API docs page (served as they are, no build step).
    files: ['apps/api/src/pages/assets/**/*.js', 'apps/api/src/openapi/docs-page/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
);
