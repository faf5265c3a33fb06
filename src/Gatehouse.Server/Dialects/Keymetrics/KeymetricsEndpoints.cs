using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;

namespace Gatehouse.Server.Dialects.Keymetrics;

/// <summary>The routes of the dialect; each reads its input, calls one core use case and maps the result.</summary>
internal sealed class KeymetricsEndpoints(string clientId, string emailConfirmedUrl)
{
    private const string Surface = KeymetricsDialect.DialectName;

    public void Map(RouteGroupBuilder group)
    {
        // GET /register would serve the hosted sign-up page, which does not exist yet: it stays
        // unmapped and answers 405 in the dialect's shape.
        group.MapPost("/register", RegisterAsync).WithName("KeymetricsRegister").WithSummary("Creates an account and signs it in.").RequireRateLimiting(RateLimiting.Registration);
        group.MapPost("/token", TokenAsync).WithName("KeymetricsToken").WithSummary("A new access token for a refresh token (which is not rotated).");
        group.MapPost("/revoke", RevokeAsync).WithName("KeymetricsRevoke").WithSummary("Ends the session of the bearer token.");
        group.MapPost("/reset_password", ResetPasswordAsync).WithName("KeymetricsResetPassword").WithSummary("Emails a password reset link.").RequireRateLimiting(RateLimiting.Email);
        group.MapPost("/send_email_link", SendEmailLinkAsync).WithName("KeymetricsSendEmailLink").WithSummary("Emails an email confirmation link to the caller.").RequireRateLimiting(RateLimiting.Email);
        group.MapGet("/valid_email/{token}", ValidEmailAsync).WithName("KeymetricsValidEmail").WithSummary("Confirms the email and redirects to the confirmed page.");
    }

    private async Task<IResult> RegisterAsync(HttpContext http, AccountService accounts, AdminService admin, CancellationToken ct)
    {
        var (body, failure) = await KeymetricsBody.ReadAsync(http.Request, ct);
        if (body is null)
        {
            return BodyFailure(failure);
        }
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        string? Required(string field) => Text(body, field, problems, required: true);
        var username = Required("username");
        var email = Required("email");
        var password = Required("password");
        var role = Text(body, "role", problems, required: false);
        var company = Text(body, "company", problems, required: false);
        if (!body.IsTruthy("accept_terms"))
        {
            problems["accept_terms"] = "You must accept the terms of service";
        }
        if (problems.Count > 0)
        {
            return KeymetricsResults.Fields(problems);
        }

        var context = http.ToRequestContext(Surface);
        var client = await admin.EnsureClientAsync(clientId, "PM2.io / Keymetrics dialect", rotateRefreshTokens: false, context, ct);
        if (!client.Succeeded)
        {
            return KeymetricsResults.Message(StatusCodes.Status500InternalServerError, "The OAuth client of this service is unavailable");
        }
        var result = await accounts.RegisterAsync(
            new RegistrationRequest { Username = username, Email = email, Password = password, JobTitle = role, Company = company },
            new RegistrationMode { StartSession = true, SessionClient = client.Value, ConfirmationLinkTemplate = ConfirmationLink(http) },
            context,
            ct);
        if (!result.Succeeded)
        {
            return KeymetricsResults.Registration(result.Error!);
        }
        var tokens = result.Value.Tokens!;
        var refresh = new KeymetricsRefreshToken(tokens.RefreshToken);
        KeymetricsResults.NoStore(http);
        return TypedResults.Json(
            new KeymetricsRegisterResponse(
                KeymetricsUser.From(result.Value.User),
                new KeymetricsAccessToken(tokens.AccessToken, KeymetricsTime.Format(tokens.AccessTokenExpiresAt), "Bearer"),
                refresh,
                refresh),
            KeymetricsJsonContext.Default.KeymetricsRegisterResponse);
    }

    private static async Task<IResult> TokenAsync(HttpContext http, SessionService sessions, CancellationToken ct)
    {
        var (body, failure) = await KeymetricsBody.ReadAsync(http.Request, ct);
        if (body is null)
        {
            return KeymetricsResults.OAuth(http, "invalid_request", failure switch
            {
                StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                StatusCodes.Status415UnsupportedMediaType => "Send JSON or application/x-www-form-urlencoded.",
                _ => "The request body is malformed.",
            });
        }
        // scope may be present and is ignored (CONTRACTS.md).
        if (body.String("grant_type") != "refresh_token")
        {
            return KeymetricsResults.OAuth(http, "invalid_request", "grant_type must be refresh_token.");
        }
        if (body.String("client_id") is not { } client)
        {
            return KeymetricsResults.OAuth(http, "invalid_request", "client_id is required.");
        }
        // The document names it refreshToken in one place; both spellings are accepted.
        if ((body.String("refresh_token") ?? body.String("refreshToken")) is not { } refreshToken)
        {
            return KeymetricsResults.OAuth(http, "invalid_request", "refresh_token is required.");
        }
        var result = await sessions.RefreshAsync(refreshToken, http.ToRequestContext(Surface), clientId: client, cancellationToken: ct);
        if (!result.Succeeded)
        {
            return KeymetricsResults.OAuth(http, "invalid_grant", result.Error!.Code switch
            {
                CoreErrors.ExpiredTokenCode => "The refresh token has expired.",
                CoreErrors.SessionEndedCode => "The refresh token was revoked.",
                CoreErrors.AccountDisabledCode => "The account is disabled.",
                _ => "The refresh token is invalid.",
            });
        }
        KeymetricsResults.NoStore(http);
        return TypedResults.Json(
            new KeymetricsTokenResponse(result.Value.AccessToken, result.Value.RefreshToken, KeymetricsTime.Format(result.Value.AccessTokenExpiresAt), "Bearer"),
            KeymetricsJsonContext.Default.KeymetricsTokenResponse);
    }

    private static async Task<IResult> RevokeAsync(HttpContext http, SessionService sessions, CancellationToken ct)
    {
        var bearer = await http.AuthenticateBearerAsync();
        // A token of an ended session still says which session it was: that is the 404 case.
        if (bearer.Status is not (BearerStatus.Valid or BearerStatus.Revoked))
        {
            return KeymetricsResults.Unauthorized(http, bearer.Status);
        }
        var result = await sessions.EndSessionOfTokenAsync(bearer.Claims!, SessionEndReasons.SignOut, http.ToRequestContext(Surface), ct);
        if (result.Succeeded)
        {
            return KeymetricsResults.Ok("Token revoked");
        }
        return result.Error!.Code == CoreErrors.SessionEndedCode
            ? KeymetricsResults.Message(StatusCodes.Status404NotFound, "Token not found")
            : KeymetricsResults.Unauthorized(http, BearerStatus.Revoked);
    }

    private static async Task<IResult> ResetPasswordAsync(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var (body, failure) = await KeymetricsBody.ReadAsync(http.Request, ct);
        if (body is null)
        {
            return BodyFailure(failure);
        }
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Text(body, "email", problems, required: true) is not { } email)
        {
            return KeymetricsResults.Fields(problems);
        }
        // The contract keeps the original's 404 for an unknown email: its clients rely on it.
        var result = await accounts.RequestPasswordResetAsync(email, null, http.ToRequestContext(Surface), ct);
        if (result.Succeeded)
        {
            return KeymetricsResults.Ok("Email sent");
        }
        return result.Error!.Code == CoreErrors.ValidationFailedCode
            ? KeymetricsResults.Field("email", KeymetricsResults.RuleMessage("email", "too_long"))
            : KeymetricsResults.Message(StatusCodes.Status404NotFound, "No account with this email");
    }

    private async Task<IResult> SendEmailLinkAsync(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var bearer = await http.AuthenticateBearerAsync();
        if (bearer.Status != BearerStatus.Valid || bearer.Claims!.SecondFactorPending)
        {
            return KeymetricsResults.Unauthorized(http, bearer.Status == BearerStatus.Valid ? BearerStatus.Invalid : bearer.Status);
        }
        var result = await accounts.RequestEmailConfirmationAsync(bearer.Claims.Subject, ConfirmationLink(http), ct);
        return result.Succeeded
            ? KeymetricsResults.Ok("Email sent")
            : KeymetricsResults.Message(StatusCodes.Status404NotFound, "The account has no email");
    }

    private async Task<IResult> ValidEmailAsync(string token, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var result = await accounts.ConfirmEmailAsync(token, http.ToRequestContext(Surface), ct);
        if (!result.Succeeded)
        {
            return KeymetricsResults.Message(StatusCodes.Status404NotFound, "Invalid or expired token");
        }
        // The URL held a live token until now; keep the answer out of caches.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Redirect(emailConfirmedUrl, permanent: true);
    }

    /// <summary>The emailed link points back at this dialect's GET /valid_email/:token, wherever it is mounted.</summary>
    private static string ConfirmationLink(HttpContext http)
    {
        var basePath = http.GetEndpoint()?.Metadata.GetMetadata<MountedDialect>()?.BasePath ?? "/api/oauth";
        return "{base}" + (basePath == "/" ? "" : basePath) + "/valid_email/{token}";
    }

    private static string? Text(KeymetricsBody body, string field, Dictionary<string, string> problems, bool required)
    {
        var value = body.String(field, out var wrongType);
        if (wrongType)
        {
            problems[field] = KeymetricsResults.RuleMessage(field, "not_string");
        }
        else if (value is null && required)
        {
            problems[field] = KeymetricsResults.RuleMessage(field, "required");
        }
        return value;
    }

    private static IResult BodyFailure(int status) => KeymetricsResults.Message(status, status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request body too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported content type, send JSON",
        _ => "Malformed JSON body",
    });
}
