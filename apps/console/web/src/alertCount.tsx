import { createContext, useContext } from 'react';

/** The header's unacknowledged-alert badge; the alerts page corrects it from each page it loads. */
export interface AlertCount {
  count: number | null;
  set: (n: number) => void;
}

export const AlertCountContext = createContext<AlertCount>({ count: null, set: () => {} });
export const useAlertCount = () => useContext(AlertCountContext);
