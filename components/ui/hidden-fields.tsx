/**
 * A form's fixed values as hidden inputs, in the order given: what its action needs (the cluster, the folder, the
 * database it acts on) and the user does not choose.
 */
export function HiddenFields({ fields }: { fields: Record<string, string | number> }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}
