using Gatehouse.Core.Accounts;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Dialects.Keymetrics;

/// <summary>The routes of the dialect; each reads its input, calls one core use case and maps the result.</summary>
internal static class KeymetricsEndpoints
{
    private const string Surface = KeymetricsDialect.DialectName;

    /// <summary>Bodies here are a handful of short fields; anything larger is refused early.</summary>
    private static readonly BodyRules Body = new(64 * 1024);

    public static RouteGroupBuilder MapKeymetrics(this RouteGroupBuilder group, KeymetricsSettings settings)
    {
        // Its bearer routes take its own tokens and Gatehouse's (its users sign in on Gatehouse's
        // own pages: the dialect has no password route), no other product's (docs/architecture.md,
        // "Token audiences").
        group.WithMetadata(settings, AudiencePolicy.OwnTokensOf(Surface, andFirstParty: true));
        // GET /register would serve the hosted sign-up page, which does not exist yet: it stays
        // unmapped and answers 405 in the dialect's shape.
        group.MapPost("/register", RegisterAsync).WithName("KeymetricsRegister").WithSummary("Creates an account and signs it in.").RequireRateLimiting(RateLimiting.Registration);
        group.MapPost("/token", TokenAsync).WithName("KeymetricsToken").WithSummary("A new access token for a refresh token (which is not rotated).");
        group.MapPost("/revoke", RevokeAsync).WithName("KeymetricsRevoke").WithSummary("Ends the session of the bearer token.");
        group.MapPost("/reset_password", ResetPasswordAsync).WithName("KeymetricsResetPassword").WithSummary("Emails a password reset link.").RequireRateLimiting(RateLimiting.Email);
        group.MapPost("/send_email_link", SendEmailLinkAsync).WithName("KeymetricsSendEmailLink").WithSummary("Emails an email confirmation link to the caller.").RequireRateLimiting(RateLimiting.Email);
        group.MapGet("/valid_email/{token}", ValidEmailAsync).WithName("KeymetricsValidEmail").WithSummary("Confirms the email and redirects to the confirmed page.")
            .Produces(StatusCodes.Status301MovedPermanently);
        return group;
    }

    private static KeymetricsSettings Settings(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<KeymetricsSettings>() ?? throw new InvalidOperationException("A keymetrics endpoint without its settings.");

    /// <summary>A body as JSON or a form; no body at all reads as no fields, so a missing parameter gets its own message.</summary>
    private static async Task<BodyRead<KeymetricsFields>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > Body.MaxBytes)
        {
            return BodyRead<KeymetricsFields>.Failed(BodyOutcome.TooLarge);
        }
        if (DialectBody.IsForm(request))
        {
            var form = await DialectBody.ReadFormAsync(request, Body.MaxBytes, ct);
            return form.Succeeded ? new(BodyOutcome.Read, KeymetricsFields.FromForm(form.Value!)) : BodyRead<KeymetricsFields>.Failed(form.Outcome);
        }
        if (DialectBody.IsAbsent(request))
        {
            return new(BodyOutcome.Read, KeymetricsFields.Empty);
        }
        var json = await DialectBody.ReadJsonAsync(request, Body, ct);
        if (!json.Succeeded)
        {
            return BodyRead<KeymetricsFields>.Failed(json.Outcome);
        }
        return json.Value.ValueKind == System.Text.Json.JsonValueKind.Object
            ? new(BodyOutcome.Read, KeymetricsFields.FromJson(json.Value))
            : BodyRead<KeymetricsFields>.Failed(BodyOutcome.Malformed);
    }

    private static async Task<Results<WireJson<KeymetricsRegisterResponse, Status200>, WireError<KeymetricsMessage>, WireError<KeymetricsFieldErrors>>> RegisterAsync(
        HttpContext http, ClientSignInService clients, CancellationToken ct)
    {
        var body = await ReadAsync(http.Request, ct);
        if (!body.Succeeded)
        {
            return KeymetricsMapper.Unreadable(body.Outcome);
        }
        var fields = body.Value!;
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        string? Required(string field) => Text(fields, field, problems, required: true);
        var username = Required("username");
        var email = Required("email");
        var password = Required("password");
        var role = Text(fields, "role", problems, required: false);
        var company = Text(fields, "company", problems, required: false);
        if (!fields.IsTruthy("accept_terms"))
        {
            problems["accept_terms"] = "You must accept the terms of service";
        }
        if (problems.Count > 0)
        {
            return KeymetricsMapper.Fields(problems);
        }
        var result = await clients.RegisterOnSurfaceClientAsync(
            Settings(http).Client,
            new RegistrationRequest { Username = username, Email = email, Password = password, JobTitle = role, Company = company },
            new RegistrationMode { ConfirmationLinkTemplate = ConfirmationLink(http) },
            http.ToRequestContext(Surface),
            ct);
        if (!result.Succeeded)
        {
            return KeymetricsMapper.Registration(result.Error!);
        }
        var tokens = result.Value.Tokens!;
        var refresh = new KeymetricsRefreshToken(tokens.RefreshToken);
        KeymetricsMapper.NoStore(http);
        return KeymetricsMapper.Ok(
            new KeymetricsRegisterResponse(
                KeymetricsUser.From(result.Value.User),
                new KeymetricsAccessToken(tokens.AccessToken, KeymetricsTime.Format(tokens.AccessTokenExpiresAt), "Bearer"),
                refresh,
                refresh),
            KeymetricsJsonContext.Default.KeymetricsRegisterResponse);
    }

    private static async Task<Results<WireJson<KeymetricsTokenResponse, Status200>, WireError<KeymetricsOAuthError>>> TokenAsync(HttpContext http, SessionService sessions, CancellationToken ct)
    {
        var body = await ReadAsync(http.Request, ct);
        if (!body.Succeeded)
        {
            return KeymetricsMapper.UnreadableTokenRequest(http, body.Outcome);
        }
        var fields = body.Value!;
        // scope may be present and is ignored (CONTRACTS.md).
        if (fields.String("grant_type") != "refresh_token")
        {
            return KeymetricsMapper.OAuth(http, "invalid_request", "grant_type must be refresh_token.");
        }
        if (fields.String("client_id") is not { } client)
        {
            return KeymetricsMapper.OAuth(http, "invalid_request", "client_id is required.");
        }
        // The document names it refreshToken in one place; both spellings are accepted.
        if ((fields.String("refresh_token") ?? fields.String("refreshToken")) is not { } refreshToken)
        {
            return KeymetricsMapper.OAuth(http, "invalid_request", "refresh_token is required.");
        }
        // The session decides what the id must be: any for the dialect's public client (README.md).
        var result = await sessions.RefreshAsync(refreshToken, http.ToRequestContext(Surface), clientId: client, cancellationToken: ct);
        if (!result.Succeeded)
        {
            return KeymetricsMapper.Refresh(http, result.Error!);
        }
        KeymetricsMapper.NoStore(http);
        return KeymetricsMapper.Ok(
            new KeymetricsTokenResponse(result.Value.AccessToken, result.Value.RefreshToken, KeymetricsTime.Format(result.Value.AccessTokenExpiresAt), "Bearer"),
            KeymetricsJsonContext.Default.KeymetricsTokenResponse);
    }

    private static async Task<Results<WireJson<KeymetricsMessage, Status200>, WireError<KeymetricsMessage>>> RevokeAsync(HttpContext http, SessionService sessions, CancellationToken ct)
    {
        var bearer = await http.AuthenticateBearerAsync();
        // A token of an ended session still says which session it was: that is the 404 case.
        if (bearer.Status is not (BearerStatus.Valid or BearerStatus.Revoked))
        {
            return KeymetricsMapper.Unauthorized(http, bearer.Status);
        }
        var result = await sessions.EndSessionOfTokenAsync(bearer.Claims!, SessionEndReasons.SignOut, http.ToRequestContext(Surface), ct);
        return result.Succeeded ? KeymetricsMapper.Ok("Token revoked") : KeymetricsMapper.Revoke(http, result.Error!);
    }

    private static async Task<Results<WireJson<KeymetricsMessage, Status200>, WireError<KeymetricsMessage>, WireError<KeymetricsFieldErrors>>> ResetPasswordAsync(
        HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var body = await ReadAsync(http.Request, ct);
        if (!body.Succeeded)
        {
            return KeymetricsMapper.Unreadable(body.Outcome);
        }
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Text(body.Value!, "email", problems, required: true) is not { } email)
        {
            return KeymetricsMapper.Fields(problems);
        }
        var result = await accounts.RequestPasswordResetAsync(email, null, http.ToRequestContext(Surface), ct);
        return result.Succeeded ? KeymetricsMapper.Ok("Email sent") : KeymetricsMapper.ResetRequest(result.Error!);
    }

    private static async Task<Results<WireJson<KeymetricsMessage, Status200>, WireError<KeymetricsMessage>>> SendEmailLinkAsync(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var bearer = await http.AuthenticateBearerAsync();
        if (!DialectBearer.Accepts(bearer.Status))
        {
            return KeymetricsMapper.Unauthorized(http, bearer.Status);
        }
        var result = await accounts.RequestEmailConfirmationAsync(bearer.Claims!.Subject, ConfirmationLink(http), ct);
        return result.Succeeded
            ? KeymetricsMapper.Ok("Email sent")
            : KeymetricsMapper.Message(StatusCodes.Status404NotFound, "The account has no email");
    }

    private static async Task<Results<RedirectHttpResult, WireError<KeymetricsMessage>>> ValidEmailAsync(string token, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var result = await accounts.ConfirmEmailAsync(token, http.ToRequestContext(Surface), ct);
        if (!result.Succeeded)
        {
            return KeymetricsMapper.Message(StatusCodes.Status404NotFound, "Invalid or expired token");
        }
        // The URL held a live token until now; keep the answer out of caches.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Redirect(Settings(http).EmailConfirmedUrl, permanent: true);
    }

    /// <summary>The emailed link points back at this dialect's GET /valid_email/:token, wherever it is mounted.</summary>
    private static string ConfirmationLink(HttpContext http) => DialectPaths.LinkTemplate(http, "/api/oauth", "/valid_email/{token}");

    private static string? Text(KeymetricsFields fields, string field, Dictionary<string, string> problems, bool required)
    {
        var value = fields.String(field, out var wrongType);
        if (wrongType)
        {
            problems[field] = KeymetricsMapper.RuleMessage(field, "not_string");
        }
        else if (value is null && required)
        {
            problems[field] = KeymetricsMapper.RuleMessage(field, "required");
        }
        return value;
    }
}
