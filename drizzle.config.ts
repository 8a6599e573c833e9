import { defineConfig } from 'drizzle-kit';

// Migrations are generated from lib/db/schema.ts into drizzle/ (`npm run db:generate`) and applied at start-up.
export default defineConfig({
  dialect: 'sqlite',
  schema: './lib/db/schema.ts',
  out: './drizzle',
});
