import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'cdk.out/**', 'build/**', 'test/package/consumer-project/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Lazy require() keeps each CLI command from loading what it does not use (reach never loads aws-cdk-lib).
      '@typescript-eslint/no-require-imports': 'off',
      // lib/ is the engine: it must never depend on a construct framework.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk8s', 'cdk8s-plus-28'], message: 'lib/ is the engine: no construct framework imports (STYLE.md).' },
          { group: ['../constructs/*', '../../constructs/*'], message: 'Arrows point one way: constructs -> lib.' },
        ],
      }],
    },
  },
);
