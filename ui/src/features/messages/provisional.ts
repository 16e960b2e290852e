// provisional: ListMessages' `Search` from the backend contract, until the generated
// ListMessagesRequest has it (then use that type and delete this file).
import type { ListMessagesRequest } from "../../api/pooldesk";

export type ListMessagesSearchRequest = ListMessagesRequest & {
  /** Messages whose username or destination contains this, case-insensitive. */
  Search?: string;
};
