using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;

namespace Gatehouse.Server.Dialects.Ccx;

/// <summary>
/// The dialect's one mapper: core users to <see cref="CcxUser"/>, core errors and framework
/// failures to <see cref="CcxError"/>, and the session ticket to the <c>sid</c> cookie. The
/// contract gives each route a single failure status, so the route chooses the status and the
/// mapper the words.
/// </summary>
internal static class CcxMapper
{
    public const string CookieName = "sid";

    public static CcxUser User(User user) => new(
        user.Id,
        user.Email ?? user.Username ?? "",
        user.FirstName ?? "",
        user.LastName ?? "",
        // 0 pending, 1 active, 2 disabled, 3 deleted (Gatehouse's UserStatus).
        (int)user.Status);

    public static WireJson<CcxUser, Status200> Ok(User user) => new(User(user), CcxJsonContext.Default.CcxUser);

    public static WireError<CcxError> Error(int status, string message) =>
        new(status, new CcxError(status, message), CcxJsonContext.Default.CcxError);

    public static WireError<CcxError> Error(int status, CoreError error) => Error(status, Message(error));

    /// <summary>An unreadable body: 415 for another content type, 413 over the limit, 400 for malformed JSON or a wrong JSON type.</summary>
    public static WireError<CcxError> Unreadable(BodyOutcome outcome)
    {
        var status = outcome switch
        {
            BodyOutcome.TooLarge => StatusCodes.Status413PayloadTooLarge,
            BodyOutcome.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
            _ => StatusCodes.Status400BadRequest,
        };
        return Error(status, StatusMessage(status));
    }

    public static WireError<CcxError> Malformed() => Error(StatusCodes.Status400BadRequest, "A required field is missing.");

    public static WireError<CcxError> CrossSite() => Error(StatusCodes.Status403Forbidden, "Cross-site request refused: the origin is not allowed.");

    public static string Message(CoreError error) => error.Code switch
    {
        CoreErrors.ValidationFailedCode => error.Fields.Keys.FirstOrDefault() switch
        {
            "email" or "login" => "The login must be a valid email address.",
            "password" => "The password is not acceptable: it must be long enough and not a common password.",
            "firstName" or "lastName" => "The name is too long.",
            _ => "One of the fields is malformed.",
        },
        CoreErrors.EmailTakenCode or CoreErrors.UsernameTakenCode or CoreErrors.AccountDeletedCode => "The login is already taken.",
        _ => error.Message,
    };

    public static string StatusMessage(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request JSON could not be parsed or one of the fields is malformed.",
        StatusCodes.Status401Unauthorized => "The user is not authorized.",
        StatusCodes.Status403Forbidden => "Forbidden.",
        StatusCodes.Status404NotFound => "The requested path is not found on the server.",
        StatusCodes.Status405MethodNotAllowed => "The requested path is found but the method is not allowed.",
        StatusCodes.Status408RequestTimeout => "The request has timed out.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        StatusCodes.Status429TooManyRequests => "Too many requests; try again later.",
        _ => "Something went wrong on the server.",
    };

    /// <summary>The <c>sid</c> cookie's secret, if the browser sent one.</summary>
    public static string? ReadCookie(HttpRequest request) => request.Cookies.TryGetValue(CookieName, out var value) && value.Length > 0 ? value : null;

    /// <summary>
    /// HttpOnly (scripts never see the secret), SameSite=Lax (browsers keep it off cross-site
    /// POSTs), Secure over HTTPS, scoped to the dialect's base path, and lasting as long as the
    /// core session's absolute lifetime.
    /// </summary>
    public static void SetCookie(HttpContext context, CookieSessionTicket ticket) =>
        context.Response.Cookies.Append(CookieName, ticket.Secret, CookieOptions(context, ticket.ExpiresAt));

    public static void ClearCookie(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, null));

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = CcxSettings.Of(context).SecureCookies switch
        {
            SecureCookieMode.Always => true,
            SecureCookieMode.Never => false,
            _ => context.Request.IsHttps,
        },
        Path = DialectPaths.BasePath(context, "/"),
        Expires = expires,
        IsEssential = true,
    };
}
