using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Dialects.Ccx;

/// <summary>The routes of CONTRACTS.md "003", relative to the dialect's base path.</summary>
internal static class CcxEndpoints
{
    /// <summary>The largest body accepted; the biggest legitimate request is a few hundred bytes.</summary>
    private static readonly BodyRules Body = new(16 * 1024);

    public static RouteGroupBuilder MapCcx(this RouteGroupBuilder group, CcxSettings settings)
    {
        group.WithMetadata(settings);
        group.MapGet("/check", CheckAsync).WithName("CcxCheck").WithSummary("The signed-in user of the sid cookie, or 401.");

        // Every route that changes state refuses cross-site requests (OriginCheck).
        var changing = group.MapGroup("").AddEndpointFilter(async (context, next) =>
                OriginCheck.IsAllowed(context.HttpContext.Request, CcxSettings.Of(context.HttpContext).AllowedOrigins) ? await next(context) : CcxMapper.CrossSite())
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(CcxError), [WireContent.MediaType]));
        changing.MapPost("/login", LoginAsync).WithName("CcxLogin").WithSummary("Signs in and sets the sid cookie.")
            .Accepts<CcxLoginRequest>("application/json").RequireRateLimiting(RateLimiting.SignIn);
        changing.MapPost("/logout", LogoutAsync).WithName("CcxLogout").WithSummary("Ends the cookie's session and clears the cookie.");
        changing.MapPost("/register", RegisterAsync).WithName("CcxRegister").WithSummary("Creates an account, emails a confirmation link and sets the sid cookie.")
            .Accepts<CcxRegisterRequest>("application/json").RequireRateLimiting(RateLimiting.Registration);
        changing.MapPost("/reset-password", RequestResetAsync).WithName("CcxResetPassword").WithSummary("Emails a reset link; 204 whether or not the login exists.")
            .Accepts<CcxResetPasswordRequest>("application/json").RequireRateLimiting(RateLimiting.Email);
        changing.MapPost("/reset", ResetAsync).WithName("CcxReset").WithSummary("Sets a new password with the emailed id and token, once; every session ends.")
            .Accepts<CcxResetRequest>("application/json");
        changing.MapPost("/confirm", ConfirmAsync).WithName("CcxConfirm").WithSummary("Confirms the email with the emailed id and token.")
            .Accepts<CcxConfirmRequest>("application/json");
        return group;
    }

    private static async Task<Results<WireJson<CcxUser, Status200>, WireError<CcxError>>> CheckAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        var secret = CcxMapper.ReadCookie(http.Request);
        var caller = await cookies.ResolveAsync(secret, ct);
        if (!caller.Succeeded)
        {
            if (secret is not null)
            {
                // The browser need not keep sending a cookie that will never work again.
                CcxMapper.ClearCookie(http);
            }
            return CcxMapper.Error(StatusCodes.Status401Unauthorized, caller.Error!);
        }
        return CcxMapper.Ok(caller.Value.User);
    }

    private static async Task<Results<WireJson<CcxUser, Status200>, WireError<CcxError>>> LoginAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        var body = await DialectBody.ReadJsonAsync(http.Request, CcxJsonContext.Default.CcxLoginRequest, Body, ct);
        if (!body.Succeeded)
        {
            return CcxMapper.Unreadable(body.Outcome);
        }
        if (body.Value is not { Login: { } login, Password: { } password })
        {
            return CcxMapper.Malformed();
        }
        var result = await cookies.SignInAsync(login, password, CcxMapper.ReadCookie(http.Request), Context(http), ct);
        if (!result.Succeeded)
        {
            return CcxMapper.Error(StatusCodes.Status401Unauthorized, result.Error!);
        }
        CcxMapper.SetCookie(http, result.Value.Ticket);
        return CcxMapper.Ok(result.Value.User);
    }

    private static async Task<NoContent> LogoutAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        // 204 also without a live session: the client's goal, being signed out, holds.
        await cookies.EndAsync(CcxMapper.ReadCookie(http.Request), Context(http), ct);
        CcxMapper.ClearCookie(http);
        return TypedResults.NoContent();
    }

    private static async Task<Results<WireJson<CcxUser, Status200>, WireError<CcxError>>> RegisterAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        var body = await DialectBody.ReadJsonAsync(http.Request, CcxJsonContext.Default.CcxRegisterRequest, Body, ct);
        if (!body.Succeeded)
        {
            return CcxMapper.Unreadable(body.Outcome);
        }
        var request = body.Value!;
        if (request.Login is null || request.Password is null)
        {
            return CcxMapper.Malformed();
        }
        var mode = RegistrationMode.SelfService with { ConfirmationLinkTemplate = CcxSettings.Of(http).ConfirmLinkTemplate };
        var result = await cookies.RegisterAsync(
            new RegistrationRequest { Email = request.Login, Password = request.Password, FirstName = request.FirstName, LastName = request.LastName },
            mode,
            Context(http),
            ct);
        // The document answers every refusal of a registration with 401.
        if (!result.Succeeded)
        {
            return CcxMapper.Error(StatusCodes.Status401Unauthorized, result.Error!);
        }
        CcxMapper.SetCookie(http, result.Value.Ticket);
        return CcxMapper.Ok(result.Value.User);
    }

    /// <summary>
    /// Secure: 204 whether or not the login exists, so accounts cannot be discovered (ASVS 5.0
    /// V6.4.1); the original answered differently for unknown logins.
    /// </summary>
    private static async Task<Results<NoContent, WireError<CcxError>>> RequestResetAsync(AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var body = await DialectBody.ReadJsonAsync(http.Request, CcxJsonContext.Default.CcxResetPasswordRequest, Body, ct);
        if (!body.Succeeded)
        {
            return CcxMapper.Unreadable(body.Outcome);
        }
        if (body.Value!.Login is not { } login)
        {
            return CcxMapper.Malformed();
        }
        var result = await accounts.RequestPasswordResetAsync(login, CcxSettings.Of(http).ResetLinkTemplate, Context(http), ct);
        return result.Error?.Code == CoreErrors.ValidationFailedCode
            ? CcxMapper.Error(StatusCodes.Status400BadRequest, result.Error)
            : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, WireError<CcxError>>> ResetAsync(AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var body = await DialectBody.ReadJsonAsync(http.Request, CcxJsonContext.Default.CcxResetRequest, Body, ct);
        if (!body.Succeeded)
        {
            return CcxMapper.Unreadable(body.Outcome);
        }
        if (body.Value is not { Id: { } id, Token: { } token, Password: { } password })
        {
            return CcxMapper.Malformed();
        }
        var result = await accounts.ResetPasswordOfUserAsync(id, token, password, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : CcxMapper.Error(StatusCodes.Status400BadRequest, result.Error!);
    }

    private static async Task<Results<NoContent, WireError<CcxError>>> ConfirmAsync(AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var body = await DialectBody.ReadJsonAsync(http.Request, CcxJsonContext.Default.CcxConfirmRequest, Body, ct);
        if (!body.Succeeded)
        {
            return CcxMapper.Unreadable(body.Outcome);
        }
        if (body.Value is not { Id: { } id, Token: { } token })
        {
            return CcxMapper.Malformed();
        }
        var result = await accounts.ConfirmEmailOfUserAsync(id, token, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : CcxMapper.Error(StatusCodes.Status400BadRequest, result.Error!);
    }

    private static RequestContext Context(HttpContext http) => http.ToRequestContext(CcxDialect.SurfaceName);
}
