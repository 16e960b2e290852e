import { useCallback, useState } from "react";

/**
 * The server's answer to the last submit. It is cleared the moment a new submit starts, valid or
 * not, so an old error never sits beside the new field errors.
 */
export function useSubmitError() {
  const [error, setError] = useState<unknown>(null);
  const clearingFirst = useCallback(
    <E,>(submit: (e?: E) => Promise<void>) =>
      (e?: E) => {
        setError(null);
        return submit(e);
      },
    [],
  );
  return { error, setError, clearingFirst };
}
