import { useState } from "react";

// A display preference (not a secret), kept like the theme.
const KEY = "pooldesk.sidebar";

function load(): boolean {
  try {
    return localStorage.getItem(KEY) === "collapsed";
  } catch {
    return false;
  }
}

/** Whether the sidebar is collapsed, remembered across starts. */
export function useSidebarCollapsed(): [boolean, () => void] {
  const [collapsed, setCollapsed] = useState(load);
  const toggle = () => {
    const next = !collapsed;
    setCollapsed(next);
    try {
      if (next) localStorage.setItem(KEY, "collapsed");
      else localStorage.removeItem(KEY);
    } catch {
      /* storage unavailable: the choice lasts for this session */
    }
  };
  return [collapsed, toggle];
}
