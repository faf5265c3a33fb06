using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Gatehouse.Server.Dialects;

namespace Gatehouse.Server.Api.Native;

/// <summary>
/// The native API's one mapper from core errors to RFC 9457 problem details. Each problem
/// carries the core's stable code in <c>code</c> and a <c>type</c> URI naming it.
/// </summary>
internal static class NativeProblems
{
    public const string TypeBase = "https://gatehouse.dev/problems/";

    public static ProblemHttpResult From(CoreError error)
    {
        var status = error.Code switch
        {
            CoreErrors.ValidationFailedCode => StatusCodes.Status400BadRequest,
            CoreErrors.EmailTakenCode or CoreErrors.UsernameTakenCode or CoreErrors.AccountDeletedCode or CoreErrors.ConflictCode or CoreErrors.NoPasswordCode => StatusCodes.Status409Conflict,
            CoreErrors.RegistrationDisabledCode or CoreErrors.AccountDisabledCode or CoreErrors.ForbiddenCode => StatusCodes.Status403Forbidden,
            CoreErrors.InvalidCredentialsCode or CoreErrors.SessionEndedCode or CoreErrors.InvalidClientCode => StatusCodes.Status401Unauthorized,
            CoreErrors.RateLimitedCode => StatusCodes.Status429TooManyRequests,
            CoreErrors.NotFoundCode => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status400BadRequest,
        };
        return Problem(status, error.Code, error.Message, error.Fields.Count > 0 ? error.Fields : null);
    }

    public static ProblemHttpResult Problem(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }
        return TypedResults.Problem(detail: detail, statusCode: status, title: Title(status), type: TypeBase + code, extensions: extensions);
    }

    public static ProblemHttpResult Required(params string[] fields) =>
        Problem(StatusCodes.Status400BadRequest, CoreErrors.ValidationFailedCode, "Required fields are missing.", fields.ToDictionary(f => f, _ => new[] { "required" }));

    public static ProblemHttpResult Unauthorized(BearerStatus status) => status switch
    {
        BearerStatus.Expired => Problem(StatusCodes.Status401Unauthorized, "token_expired", "The access token has expired."),
        BearerStatus.Revoked => Problem(StatusCodes.Status401Unauthorized, "token_revoked", "The access token was revoked."),
        BearerStatus.Missing => Problem(StatusCodes.Status401Unauthorized, "token_missing", "An access token is required (Authorization: Bearer)."),
        _ => Problem(StatusCodes.Status401Unauthorized, "token_invalid", "The access token is invalid."),
    };

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        _ => "Error",
    };
}

/// <summary>Bearer filters for native and admin endpoints.</summary>
internal static class NativeAuthorization
{
    /// <summary>
    /// Requires a valid access token of a fully signed-in session, issued to Gatehouse itself
    /// (the native account API and the admin API accept no client's or dialect's token).
    /// </summary>
    public static TBuilder RequireNativeBearer<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireBearer(Core.Tokens.AudiencePolicy.FirstParty, Refuse);

    private static ProblemHttpResult Refuse(HttpContext http, BearerStatus status)
    {
        if (status == BearerStatus.SecondFactorPending)
        {
            return NativeProblems.Problem(StatusCodes.Status403Forbidden, "second_factor_required", "Finish signing in with the second factor first.");
        }
        DialectBearer.Challenge(http, status);
        return NativeProblems.Unauthorized(status);
    }

    /// <summary>Requires the <c>admin</c> role on a first-party token (after the bearer filter).</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            Caller.Get(context.HttpContext) is { IsAdmin: true }
                ? await next(context)
                : NativeProblems.Problem(StatusCodes.Status403Forbidden, CoreErrors.ForbiddenCode, "This needs the admin role."));
}
