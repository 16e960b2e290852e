//! The one error type of PoolDesk's operations. Each variant is a Cognito exception, so every
//! adapter (HTTP, desktop, CLI) reports the name clients match on; [`Error::wire_code`] gives it.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    InvalidPassword(String),
    #[error("{0}")]
    InvalidOAuthFlow(String),
    #[error("{0}")]
    ScopeDoesNotExist(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    UserNotFound(String),
    #[error("{0}")]
    UsernameExists(String),
    #[error("{0}")]
    AliasExists(String),
    #[error("{0}")]
    GroupExists(String),
    #[error("{0}")]
    NotAuthorized(String),
    #[error("{0}")]
    UserNotConfirmed(String),
    #[error("{0}")]
    PasswordResetRequired(String),
    #[error("{0}")]
    CodeMismatch(String),
    #[error("{0}")]
    ExpiredCode(String),
    #[error("{0}")]
    LimitExceeded(String),
    #[error("{0}")]
    TooManyFailedAttempts(String),
    #[error("{0}")]
    CodeDeliveryFailure(String),
    #[error("{0}")]
    InvalidUserPoolConfiguration(String),
    #[error("{0}")]
    ResourceConflict(String),
    #[error("{0}")]
    InvalidIdentityPoolConfiguration(String),
    #[error("{0}")]
    DeveloperUserAlreadyRegistered(String),
    #[error("{0}")]
    RefreshTokenReuse(String),
    #[error("{0}")]
    EnableSoftwareTokenMfa(String),
    #[error("{0}")]
    UnsupportedUserState(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    UnknownOperation(String),
    #[error("{0}")]
    ConcurrentModification(String),
    #[error("{0}")]
    ManagedLoginBrandingExists(String),
    #[error("{0}")]
    TermsExists(String),
    #[error("{0}")]
    DeviceKeyExists(String),
    /// An operation PoolDesk cannot offer for what it names (a replica in another Region).
    #[error("{0}")]
    OperationNotEnabled(String),
    #[error("{0}")]
    DuplicateProvider(String),
    /// The request body is not JSON, or a member has the wrong JSON type.
    #[error("{0}")]
    Serialization(String),
    /// A public operation called more often than its rate limit allows.
    #[error("{0}")]
    TooManyRequests(String),
    /// A request larger than the server reads (HTTP 413).
    #[error("{0}")]
    RequestTooLarge(String),
    // How a signed request can fail, as AWS names it (STS words them its own way).
    #[error("{0}")]
    MissingAuthenticationToken(String),
    #[error("{0}")]
    IncompleteSignature(String),
    #[error("{0}")]
    InvalidSignature(String),
    /// The access key (or temporary credentials' token) is not one the server knows.
    #[error("{0}")]
    UnrecognizedClient(String),
    #[error("{0}")]
    ExpiredToken(String),
    /// STS: the web identity token does not verify.
    #[error("{0}")]
    InvalidIdentityToken(String),
    /// STS: the caller may not assume the role.
    #[error("{0}")]
    AccessDenied(String),
    /// A Lambda trigger threw: its message, as Cognito words it.
    #[error("{0}")]
    UserLambdaValidation(String),
    /// A Lambda trigger could not be called, or did not answer in time.
    #[error("{0}")]
    UnexpectedLambda(String),
    /// A Lambda trigger answered something Cognito cannot use.
    #[error("{0}")]
    InvalidLambdaResponse(String),
    /// Cognito Sync's trigger threw, could not be called, or answered something unusable.
    #[error("{0}")]
    InvalidLambdaFunctionOutput(String),
    /// Lambda throttled Cognito Sync's trigger.
    #[error("{0}")]
    LambdaThrottled(String),
    /// Cognito Sync: a bulk publish finished less than 24 hours ago.
    #[error("{0}")]
    AlreadyStreamed(String),
    /// Cognito Sync: a bulk publish is still going.
    #[error("{0}")]
    DuplicateRequest(String),
    /// Cognito Sync: the identity pool is not set up for what was asked (streams, push sync).
    #[error("{0}")]
    InvalidConfiguration(String),
    /// Something that is never the caller's fault. Details go to the log, not the client.
    #[error("internal error: {0:#}")]
    Internal(#[source] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The `__type` Cognito sends for this error.
    pub fn wire_code(&self) -> &'static str {
        match self {
            Error::InvalidParameter(_) => "InvalidParameterException",
            Error::InvalidPassword(_) => "InvalidPasswordException",
            Error::InvalidOAuthFlow(_) => "InvalidOAuthFlowException",
            Error::ScopeDoesNotExist(_) => "ScopeDoesNotExistException",
            Error::ResourceNotFound(_) => "ResourceNotFoundException",
            Error::UserNotFound(_) => "UserNotFoundException",
            Error::UsernameExists(_) => "UsernameExistsException",
            Error::AliasExists(_) => "AliasExistsException",
            Error::GroupExists(_) => "GroupExistsException",
            Error::NotAuthorized(_) => "NotAuthorizedException",
            Error::UserNotConfirmed(_) => "UserNotConfirmedException",
            Error::PasswordResetRequired(_) => "PasswordResetRequiredException",
            Error::CodeMismatch(_) => "CodeMismatchException",
            Error::ExpiredCode(_) => "ExpiredCodeException",
            Error::LimitExceeded(_) => "LimitExceededException",
            Error::TooManyFailedAttempts(_) => "TooManyFailedAttemptsException",
            Error::CodeDeliveryFailure(_) => "CodeDeliveryFailureException",
            Error::InvalidUserPoolConfiguration(_) => "InvalidUserPoolConfigurationException",
            Error::ResourceConflict(_) => "ResourceConflictException",
            Error::InvalidIdentityPoolConfiguration(_) => "InvalidIdentityPoolConfigurationException",
            Error::DeveloperUserAlreadyRegistered(_) => "DeveloperUserAlreadyRegisteredException",
            Error::RefreshTokenReuse(_) => "RefreshTokenReuseException",
            Error::EnableSoftwareTokenMfa(_) => "EnableSoftwareTokenMFAException",
            Error::UnsupportedUserState(_) => "UnsupportedUserStateException",
            Error::Unauthorized(_) => "UnauthorizedException",
            Error::Unsupported(_) => "UnsupportedOperationException",
            Error::UnknownOperation(_) => "UnknownOperationException",
            Error::ConcurrentModification(_) => "ConcurrentModificationException",
            Error::ManagedLoginBrandingExists(_) => "ManagedLoginBrandingExistsException",
            Error::TermsExists(_) => "TermsExistsException",
            Error::DeviceKeyExists(_) => "DeviceKeyExistsException",
            Error::OperationNotEnabled(_) => "OperationNotEnabledException",
            Error::DuplicateProvider(_) => "DuplicateProviderException",
            Error::Serialization(_) => "SerializationException",
            Error::TooManyRequests(_) => "TooManyRequestsException",
            // Cognito's name for a body it will not take; the status (413) says why.
            Error::RequestTooLarge(_) => "InvalidParameterException",
            Error::MissingAuthenticationToken(_) => "MissingAuthenticationTokenException",
            Error::IncompleteSignature(_) => "IncompleteSignatureException",
            Error::InvalidSignature(_) => "InvalidSignatureException",
            Error::UnrecognizedClient(_) => "UnrecognizedClientException",
            Error::ExpiredToken(_) => "ExpiredTokenException",
            Error::InvalidIdentityToken(_) => "InvalidIdentityTokenException",
            Error::AccessDenied(_) => "AccessDeniedException",
            Error::UserLambdaValidation(_) => "UserLambdaValidationException",
            Error::UnexpectedLambda(_) => "UnexpectedLambdaException",
            Error::InvalidLambdaResponse(_) => "InvalidLambdaResponseException",
            Error::InvalidLambdaFunctionOutput(_) => "InvalidLambdaFunctionOutputException",
            Error::LambdaThrottled(_) => "LambdaThrottledException",
            Error::AlreadyStreamed(_) => "AlreadyStreamedException",
            Error::DuplicateRequest(_) => "DuplicateRequestException",
            Error::InvalidConfiguration(_) => "InvalidConfigurationException",
            Error::Internal(_) => "InternalErrorException",
        }
    }

    /// Whether the fault is the server's (HTTP 500) rather than the request's (HTTP 400).
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Internal(_))
    }

    /// The message for the client: internal details stay in the log.
    pub fn client_message(&self) -> String {
        match self {
            Error::Internal(_) => "An internal error occurred.".to_owned(),
            other => other.to_string(),
        }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Error::Internal(e.into())
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => Error::ConcurrentModification(format!("Conflicting update: {what}")),
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

impl pooldesk_wire::ServiceError for Error {
    fn unsupported(operation: &'static str) -> Self {
        Error::Unsupported(format!("PoolDesk does not support {operation} yet."))
    }
    fn invalid_parameter(message: String) -> Self {
        Error::InvalidParameter(message)
    }
    fn serialization(message: String) -> Self {
        Error::Serialization(message)
    }
    fn internal(message: String) -> Self {
        Error::Internal(anyhow::anyhow!(message))
    }
}
