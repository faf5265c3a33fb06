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
    public static RouteGroupBuilder MapCcxEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/check", CheckAsync).WithName("CcxCheck").WithSummary("The signed-in user of the sid cookie, or 401.")
            .Produces<CcxUser>().Produces<CcxError>(StatusCodes.Status401Unauthorized);

        // Every route that changes state refuses cross-site requests (CcxCsrf).
        var changing = group.MapGroup("").AddEndpointFilter(CcxCsrf.FilterAsync)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(CcxError), ["application/json"]));
        changing.MapPost("/login", LoginAsync).WithName("CcxLogin").WithSummary("Signs in and sets the sid cookie.")
            .Accepts<CcxLoginRequest>("application/json").Produces<CcxUser>().Produces<CcxError>(StatusCodes.Status401Unauthorized)
            .RequireRateLimiting(RateLimiting.SignIn);
        changing.MapPost("/logout", LogoutAsync).WithName("CcxLogout").WithSummary("Ends the cookie's session and clears the cookie.");
        changing.MapPost("/register", RegisterAsync).WithName("CcxRegister").WithSummary("Creates an account, emails a confirmation link and sets the sid cookie.")
            .Accepts<CcxRegisterRequest>("application/json").Produces<CcxUser>().Produces<CcxError>(StatusCodes.Status401Unauthorized)
            .RequireRateLimiting(RateLimiting.Registration);
        changing.MapPost("/reset-password", RequestResetAsync).WithName("CcxResetPassword").WithSummary("Emails a reset link; 204 whether or not the login exists.")
            .Accepts<CcxResetPasswordRequest>("application/json").RequireRateLimiting(RateLimiting.Email);
        changing.MapPost("/reset", ResetAsync).WithName("CcxReset").WithSummary("Sets a new password with the emailed id and token, once; every session ends.")
            .Accepts<CcxResetRequest>("application/json").Produces<CcxError>(StatusCodes.Status400BadRequest);
        changing.MapPost("/confirm", ConfirmAsync).WithName("CcxConfirm").WithSummary("Confirms the email with the emailed id and token.")
            .Accepts<CcxConfirmRequest>("application/json").Produces<CcxError>(StatusCodes.Status400BadRequest);
        return group;
    }

    private static async Task<Results<JsonHttpResult<CcxUser>, JsonHttpResult<CcxError>>> CheckAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        var secret = CcxCookie.Read(http.Request);
        var caller = await cookies.ResolveAsync(secret, ct);
        if (!caller.Succeeded)
        {
            if (secret is not null)
            {
                // The browser need not keep sending a cookie that will never work again.
                CcxCookie.Clear(http);
            }
            return CcxMapper.Error(StatusCodes.Status401Unauthorized, caller.Error!);
        }
        return CcxMapper.Ok(caller.Value.User);
    }

    private static async Task<Results<JsonHttpResult<CcxUser>, JsonHttpResult<CcxError>>> LoginAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        var body = await CcxBody.ReadAsync(http.Request, CcxJsonContext.Default.CcxLoginRequest, ct);
        if (body.Failure is not null)
        {
            return body.Failure;
        }
        var request = body.Value!;
        if (request.Login is null || request.Password is null)
        {
            return Malformed();
        }
        var result = await cookies.SignInAsync(request.Login, request.Password, CcxCookie.Read(http.Request), Context(http), ct);
        if (!result.Succeeded)
        {
            return CcxMapper.Error(StatusCodes.Status401Unauthorized, result.Error!);
        }
        CcxCookie.Set(http, result.Value.Ticket);
        return CcxMapper.Ok(result.Value.User);
    }

    private static async Task<NoContent> LogoutAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        // 204 also without a live session: the client's goal, being signed out, holds.
        await cookies.EndAsync(CcxCookie.Read(http.Request), Context(http), ct);
        CcxCookie.Clear(http);
        return TypedResults.NoContent();
    }

    private static async Task<Results<JsonHttpResult<CcxUser>, JsonHttpResult<CcxError>>> RegisterAsync(CookieSessionService cookies, HttpContext http, CancellationToken ct)
    {
        var body = await CcxBody.ReadAsync(http.Request, CcxJsonContext.Default.CcxRegisterRequest, ct);
        if (body.Failure is not null)
        {
            return body.Failure;
        }
        var request = body.Value!;
        if (request.Login is null || request.Password is null)
        {
            return Malformed();
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
        CcxCookie.Set(http, result.Value.Ticket);
        return CcxMapper.Ok(result.Value.User);
    }

    /// <summary>
    /// Secure: 204 whether or not the login exists, so accounts cannot be discovered (ASVS 5.0
    /// V6.4.1); the original answered differently for unknown logins.
    /// </summary>
    private static async Task<Results<NoContent, JsonHttpResult<CcxError>>> RequestResetAsync(AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var body = await CcxBody.ReadAsync(http.Request, CcxJsonContext.Default.CcxResetPasswordRequest, ct);
        if (body.Failure is not null)
        {
            return body.Failure;
        }
        if (body.Value!.Login is null)
        {
            return Malformed();
        }
        var result = await accounts.RequestPasswordResetAsync(body.Value.Login, CcxSettings.Of(http).ResetLinkTemplate, Context(http), ct);
        return result.Error?.Code == CoreErrors.ValidationFailedCode
            ? CcxMapper.Error(StatusCodes.Status400BadRequest, result.Error)
            : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, JsonHttpResult<CcxError>>> ResetAsync(AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var body = await CcxBody.ReadAsync(http.Request, CcxJsonContext.Default.CcxResetRequest, ct);
        if (body.Failure is not null)
        {
            return body.Failure;
        }
        var request = body.Value!;
        if (request.Id is null || request.Token is null || request.Password is null)
        {
            return Malformed();
        }
        var result = await accounts.ResetPasswordOfUserAsync(request.Id, request.Token, request.Password, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : CcxMapper.Error(StatusCodes.Status400BadRequest, result.Error!);
    }

    private static async Task<Results<NoContent, JsonHttpResult<CcxError>>> ConfirmAsync(AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var body = await CcxBody.ReadAsync(http.Request, CcxJsonContext.Default.CcxConfirmRequest, ct);
        if (body.Failure is not null)
        {
            return body.Failure;
        }
        var request = body.Value!;
        if (request.Id is null || request.Token is null)
        {
            return Malformed();
        }
        var result = await accounts.ConfirmEmailOfUserAsync(request.Id, request.Token, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : CcxMapper.Error(StatusCodes.Status400BadRequest, result.Error!);
    }

    private static JsonHttpResult<CcxError> Malformed() =>
        CcxMapper.Error(StatusCodes.Status400BadRequest, "A required field is missing.");

    private static RequestContext Context(HttpContext http) => http.ToRequestContext(CcxDialect.SurfaceName);
}
