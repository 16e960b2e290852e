import { useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useApi } from "../../api/connection";
import { Dialog } from "../../components/Dialog";
import { ErrorBox, FieldError, Spinner } from "../../components/bits";
import { createUserDefaults, createUserSchema, toAdminCreateUserRequest, type CreateUserValues } from "./createUser";

export function CreateUserDialog({
  poolId,
  onClose,
  onCreated,
}: {
  poolId: string;
  onClose: () => void;
  onCreated: (username: string) => void;
}) {
  const api = useApi();
  const [error, setError] = useState<unknown>(null);
  const { register, handleSubmit, formState } = useForm<CreateUserValues>({
    resolver: zodResolver(createUserSchema),
    defaultValues: createUserDefaults,
  });
  const e = formState.errors;

  const onSubmit = async (v: CreateUserValues) => {
    setError(null);
    try {
      const r = await api.idp("AdminCreateUser", toAdminCreateUserRequest(poolId, v));
      onCreated(r.User?.Username ?? v.username);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Dialog title="Create user" onClose={onClose}>
      <form className="form" onSubmit={handleSubmit(onSubmit)} noValidate aria-label="Create user">
        <label className="field">
          <span>Username</span>
          <input data-testid="user-username" data-autofocus autoComplete="off" aria-invalid={!!e.username} {...register("username")} />
          <FieldError message={e.username?.message} />
        </label>
        <label className="field">
          <span>E-mail</span>
          <input data-testid="user-email" type="email" autoComplete="off" aria-invalid={!!e.email} {...register("email")} />
          <FieldError message={e.email?.message} />
        </label>
        <label className="check">
          <input type="checkbox" {...register("emailVerified")} /> Mark e-mail as verified
        </label>
        <label className="field">
          <span>Phone number</span>
          <input data-testid="user-phone" autoComplete="off" aria-invalid={!!e.phone} {...register("phone")} />
          <FieldError message={e.phone?.message} />
        </label>
        <label className="field">
          <span>Name</span>
          <input autoComplete="off" {...register("name")} />
        </label>
        <label className="field">
          <span>Temporary password (empty: generated)</span>
          <input type="password" autoComplete="new-password" data-testid="user-temp-password" {...register("temporaryPassword")} />
        </label>
        <label className="check">
          <input type="checkbox" {...register("suppressMessage")} /> Do not send the invitation message (SUPPRESS)
        </label>
        <ErrorBox error={error} testId="user-error" />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="user-submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? <Spinner label="Creating" /> : null} Create user
          </button>
        </div>
      </form>
    </Dialog>
  );
}
