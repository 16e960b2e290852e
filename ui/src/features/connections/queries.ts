import { useQuery } from "@tanstack/react-query";
import { connectionsList } from "../../api/tauri";

/** The saved remote servers (never with their secrets). */
export function useConnections() {
  return useQuery({ queryKey: ["connections"], queryFn: connectionsList });
}
