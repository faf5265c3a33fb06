using System.Text.Json.Serialization.Metadata;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;

namespace Gatehouse.Server.Dialects.Arc;

/// <summary>
/// The dialect's one mapper: core results and failures to LoopBack's answers (its error body,
/// its content type, its messages, CONTRACTS.md 001).
/// </summary>
internal static class ArcMapper
{
    private const int Unauthorized = StatusCodes.Status401Unauthorized;

    public static WireJson<T, Status200> Json<T>(T value, JsonTypeInfo<T> type) => new(value, type);

    public static WireJson<ArcSuccess, Status200> Success() => Json(new ArcSuccess(true), ArcJsonContext.Default.ArcSuccess);

    public static WireJson<ArcTokenResponse, Status200> Tokens(TokenPair tokens) => Json(ArcTokenResponse.From(tokens), ArcJsonContext.Default.ArcTokenResponse);

    /// <summary><c>{"error":{"statusCode":N,"name":"…","message":"…"}}</c> (a plain-string message).</summary>
    public static WireError<ArcError> Error(int status, string message) => Body(status, message);

    /// <summary>The same with <c>message</c> an object <c>{"message":"…"}</c>, as ARC's client/user/bearer checks answer.</summary>
    public static WireError<ArcError> ObjectError(int status, string message) => Body(status, new ArcMessage(message));

    private static WireError<ArcError> Body(int status, object message, string? name = null, string? code = null, IReadOnlyList<ArcErrorDetail>? details = null) =>
        new(status, status >= 500
            // CONTRACTS.md 001: a 5xx says no more than this.
            ? new ArcError(new ArcErrorInfo(status, null, "Internal Server Error"))
            : new ArcError(new ArcErrorInfo(status, name ?? Name(status), message, code, details)), ArcJsonContext.Relaxed.ArcError);

    /// <summary>LoopBack's 422 for a body that fails its schema.</summary>
    public static WireError<ArcError> ValidationFailed(IReadOnlyList<ArcErrorDetail> details) =>
        Body(StatusCodes.Status422UnprocessableEntity, "The request body is invalid. See error object `details` property for more info.", code: "VALIDATION_FAILED", details: details);

    public static WireError<ArcError> MissingParameter(string name) =>
        Body(StatusCodes.Status400BadRequest, $"Required parameter {name} is missing!", code: "MISSING_REQUIRED_PARAMETER");

    /// <summary>An unreadable body: 413, 415, or LoopBack's SyntaxError for JSON that does not parse.</summary>
    public static WireError<ArcError> Unreadable(BodyRead<System.Text.Json.JsonElement> body) => body.Outcome switch
    {
        BodyOutcome.TooLarge => Error(StatusCodes.Status413PayloadTooLarge, DefaultMessage(413)),
        BodyOutcome.UnsupportedMediaType => Error(StatusCodes.Status415UnsupportedMediaType, DefaultMessage(415)),
        _ => Body(StatusCodes.Status400BadRequest, $"Unexpected token in JSON at position {body.ErrorPosition ?? 0}", name: "SyntaxError"),
    };

    /// <summary>
    /// CONTRACTS.md 001: no header gives the string <c>Bearer realm="Users"</c>; a bad or expired
    /// token the object message "TokenExpired"; a revoked one "TokenRevoked". A token still
    /// waiting for its second factor is no login here: it reads as a bad one.
    /// </summary>
    public static WireError<ArcError> Bearer(BearerStatus status) => status switch
    {
        BearerStatus.Missing => Error(Unauthorized, "Bearer realm=\"Users\""),
        BearerStatus.Revoked => ObjectError(Unauthorized, "TokenRevoked"),
        _ => ObjectError(Unauthorized, "TokenExpired"),
    };

    public static WireError<ArcError> NotAllowed() => Error(StatusCodes.Status403Forbidden, "NotAllowedAccess");

    /// <summary>The refusals of the client and user checks, with object messages.</summary>
    public static WireError<ArcError> SignIn(CoreError error) => error.Code switch
    {
        CoreErrors.InvalidClientCode => ObjectError(Unauthorized, "Client Invalid"),
        CoreErrors.AccountDisabledCode => ObjectError(Unauthorized, "UserInactive"),
        _ => ObjectError(Unauthorized, "Invalid Credentials"),
    };

    /// <summary>A refused code exchange (<c>POST /auth/token</c>): plain-string messages.</summary>
    public static WireError<ArcError> CodeExchange(CoreError error) => error.Code switch
    {
        CoreErrors.InvalidClientCode => Error(Unauthorized, "Client Invalid"),
        CoreErrors.ExpiredTokenCode => Error(Unauthorized, "Code Expired"),
        CoreErrors.AccountDisabledCode => ObjectError(Unauthorized, "UserInactive"),
        _ => Error(Unauthorized, "Invalid Credentials"),
    };

    /// <summary>A refused refresh token (refresh, logout, change-password): another session's is "Token Invalid", anything else "Token Expired".</summary>
    public static WireError<ArcError> RefreshToken(CoreError error) =>
        Error(Unauthorized, error.Code == CoreErrors.InvalidTokenCode ? "Token Invalid" : "Token Expired");

    public static WireError<ArcError> RefreshTokenMissing() => Error(StatusCodes.Status422UnprocessableEntity, "TokenMissing");

    /// <summary>Password changes and resets, and their tokens.</summary>
    public static WireError<ArcError> Password(CoreError error) => error.Code switch
    {
        CoreErrors.InvalidClientCode => Error(Unauthorized, "Client Invalid"),
        CoreErrors.ForbiddenCode => NotAllowed(),
        CoreErrors.WrongPasswordCode => Error(Unauthorized, "Incorrect Password"),
        CoreErrors.SamePasswordCode => Error(Unauthorized, "Password cannot be same as previous password!"),
        CoreErrors.NoPasswordCode => Error(StatusCodes.Status400BadRequest, "Password change not allowed"),
        CoreErrors.UsedTokenCode => Error(Unauthorized, "TokenRevoked"),
        CoreErrors.InvalidTokenCode or CoreErrors.ExpiredTokenCode => Error(Unauthorized, "Token Expired"),
        CoreErrors.ValidationFailedCode => Unprocessable(error),
        _ => Error(StatusCodes.Status400BadRequest, error.Message),
    };

    /// <summary>A refused reset request (<c>POST /auth/forget-password</c>).</summary>
    public static WireError<ArcError> ResetRequest(CoreError error) => error.Code switch
    {
        CoreErrors.InvalidClientCode => Error(Unauthorized, "Client Invalid"),
        CoreErrors.ValidationFailedCode => Error(StatusCodes.Status422UnprocessableEntity, "User email not found"),
        CoreErrors.RateLimitedCode => Error(StatusCodes.Status429TooManyRequests, "Too Many Requests"),
        _ => Error(Unauthorized, "Invalid Credentials"),
    };

    /// <summary>The sign-up token comes as the bearer, as in ARC.</summary>
    public static WireError<ArcError> SignUpToken(CoreError error) => error.Code == CoreErrors.UsedTokenCode
        ? ObjectError(Unauthorized, "TokenRevoked")
        : ObjectError(Unauthorized, "TokenExpired");

    public static WireError<ArcError> SignUp(CoreError error) => error.Code switch
    {
        CoreErrors.ForbiddenCode => Error(Unauthorized, "Invalid Credentials"),
        CoreErrors.UsedTokenCode or CoreErrors.InvalidTokenCode or CoreErrors.ExpiredTokenCode => SignUpToken(error),
        CoreErrors.EmailTakenCode or CoreErrors.UsernameTakenCode or CoreErrors.AccountDeletedCode => Error(StatusCodes.Status409Conflict, "User already exists"),
        CoreErrors.RegistrationDisabledCode => NotAllowed(),
        _ => Unprocessable(error),
    };

    /// <summary>A core validation failure as LoopBack's 422 with the core's message.</summary>
    public static WireError<ArcError> Unprocessable(CoreError error) => Error(StatusCodes.Status422UnprocessableEntity, error.Message);

    public static WireError<ArcError> NotFound(string what) => Error(StatusCodes.Status404NotFound, $"Entity not found: {what}");

    /// <summary>A filter problem is the caller's: 400 (CONTRACTS.md 001: never a 500).</summary>
    public static WireError<ArcError> BadFilter(string message) => Error(StatusCodes.Status400BadRequest, message);

    /// <summary>A refused client change or query.</summary>
    public static WireError<ArcError> Clients(CoreError error, string? filterPrefix = null) => error.Code switch
    {
        CoreErrors.NotFoundCode => NotFound("AuthClient"),
        CoreErrors.ConflictCode => Error(StatusCodes.Status409Conflict, error.Message),
        CoreErrors.ValidationFailedCode when error.Fields.Any(f => AdminService.LifetimeFields.Contains(f.Key) && f.Value.Contains("too_large")) =>
            Error(StatusCodes.Status422UnprocessableEntity, "Token expirations must not exceed the server's maximum lifetimes (Gatehouse:Tokens:Maximum…Lifetime)."),
        CoreErrors.ValidationFailedCode when error.Fields.Keys.Any(AdminService.LifetimeFields.Contains) =>
            Error(StatusCodes.Status422UnprocessableEntity, "Token expirations must be positive numbers of seconds."),
        CoreErrors.ValidationFailedCode when filterPrefix is not null => BadFilter(filterPrefix + error.Message),
        CoreErrors.ValidationFailedCode => Unprocessable(error),
        _ => Error(StatusCodes.Status400BadRequest, error.Message),
    };

    /// <summary>A client as <c>AuthClient</c>: lifetimes are the effective ones (the client's own, else the defaults).</summary>
    public static ArcAuthClient Client(Client client, AdminService admin, TokenOptions defaults) => new(
        client.IsDeleted,
        client.DeletedAt,
        client.DeletedBy,
        client.CreatedAt,
        client.UpdatedAt,
        client.Number,
        client.ClientId,
        admin.RevealSecret(client),
        admin.RevealCodeSecret(client),
        client.RedirectUriList.FirstOrDefault(),
        (long)defaults.AccessLifetimeFor(client).TotalSeconds,
        (long)defaults.RefreshLifetimeFor(client).TotalSeconds,
        (long)defaults.CodeLifetimeFor(client).TotalSeconds);

    public static string Name(int status) => status switch
    {
        400 => "BadRequestError",
        401 => "UnauthorizedError",
        403 => "ForbiddenError",
        404 => "NotFoundError",
        405 => "MethodNotAllowedError",
        409 => "ConflictError",
        413 => "PayloadTooLargeError",
        415 => "UnsupportedMediaTypeError",
        422 => "UnprocessableEntityError",
        429 => "TooManyRequestsError",
        _ => "HttpError",
    };

    public static string DefaultMessage(int status) => status switch
    {
        404 => "API not found !",
        405 => "Method Not Allowed",
        413 => "request entity too large",
        415 => "Content-type is not supported.",
        429 => "Too Many Requests",
        _ => "Bad Request",
    };
}
