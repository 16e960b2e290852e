-- The OAuth scopes a session was granted (space-separated), so refreshed tokens carry them
-- again. NULL for sessions begun through the API, whose tokens carry
-- aws.cognito.signin.user.admin.
ALTER TABLE sessions ADD COLUMN scope TEXT;
