// ESLint: typescript-eslint's recommended rules, Next.js's, React hooks, and the project's own
// boundaries: lib/ knows nothing of React or Next, and only lib/env.ts reads the environment.
import nextPlugin from '@next/eslint-plugin-next';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const NO_REACT_OR_NEXT = {
  patterns: [
    {
      group: ['react', 'react/*', 'react-dom', 'react-dom/*', 'next', 'next/*', '@tanstack/*', 'next-themes', 'lucide-react'],
      message: 'lib/ is the product without a UI: no React or Next here.',
    },
    {
      group: ['@/app/*', '@/components/*', '../app/*', '../components/*', '../../app/*', '../../components/*'],
      message: 'lib/ must not import from app/ or components/.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', 'test-results/**', 'tmp/**', 'next-env.d.ts', 'emulator/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { '@next/next': nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through lib/env.ts (config()/parseConfig()).' }],
    },
  },
  {
    files: ['app/**/*.tsx', 'components/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  { files: ['lib/**/*.ts'], rules: { 'no-restricted-imports': ['error', NO_REACT_OR_NEXT] } },
  {
    // The environment's one reader (it also hands it to child processes: childEnvironment); the
    // tests, which set it and pass it to the processes they start; Next's runtime flag; Next's config.
    files: ['lib/env.ts', 'tests/**', 'instrumentation.ts', 'next.config.js'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);
