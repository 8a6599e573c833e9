/**
 * The alerts page's choice of the database whose thresholds are shown: a list of every database Txline knows
 * while there are at most CHOOSER_OPTIONS; past that (a fleet's thousands of names were most of a 1 MB page)
 * a typed name, suggested from the databases with thresholds of their own. `*` is every database's defaults.
 */
export const CHOOSER_OPTIONS = 200;

const field = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';

export function DatabaseChooser({ databases, ownRules, database }: { databases: string[]; ownRules: string[]; database: string }) {
  const typed = databases.length > CHOOSER_OPTIONS;
  const suggested = typed ? [...new Set(ownRules.filter((n) => n !== '*'))].sort().slice(0, CHOOSER_OPTIONS) : [];
  return (
    <>
      <label className="text-sm">
        <span className="block font-medium">Database</span>
        {typed ? (
          <>
            <input name="database" defaultValue={database} list="alert-databases" placeholder="* or a database name" aria-describedby="alert-database-hint" className={`${field} w-64`} />
            <datalist id="alert-databases">
              <option value="*">Every database (defaults)</option>
              {suggested.map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          </>
        ) : (
          <select name="database" defaultValue={database} className={field}>
            <option value="*">Every database (defaults)</option>
            {databases.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        )}
      </label>
      {typed ? (
        <p id="alert-database-hint" className="basis-full text-xs text-zinc-500 dark:text-zinc-400">
          {databases.length.toLocaleString('en-US')} databases: type a name (or * for the defaults); those with thresholds of their own are suggested.
        </p>
      ) : null}
    </>
  );
}
