using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Api.Native;

/// <summary>The native account API under <c>/api/v1/account</c>.</summary>
internal static class AccountEndpoints
{
    public const string BasePath = "/api/v1/account";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(BasePath).WithTags("Account");

        group.MapPost("/register", RegisterAsync).WithName("Register").WithSummary("Creates an account and emails a confirmation link.").RequireRateLimiting(RateLimiting.Registration);
        group.MapPost("/sign-in", SignInAsync).WithName("SignIn").WithSummary("Signs in with a login (email or username) and password.").RequireRateLimiting(RateLimiting.SignIn);
        group.MapPost("/refresh", RefreshAsync).WithName("Refresh").WithSummary("Exchanges a refresh token for a new pair (the old one is then refused).");
        group.MapPost("/email/confirm", ConfirmEmailAsync).WithName("ConfirmEmail").WithSummary("Confirms the email with the emailed token.");
        group.MapPost("/password/reset-request", RequestPasswordResetAsync).WithName("RequestPasswordReset").WithSummary("Emails a reset link; answers the same whether or not the account exists.").RequireRateLimiting(RateLimiting.Email);
        group.MapPost("/invitation/accept", AcceptInvitationAsync).WithName("AcceptInvitation").WithSummary("Accepts an emailed invitation once: sets the password and activates the account.");
        group.MapPost("/password/reset", ResetPasswordAsync).WithName("ResetPassword").WithSummary("Sets a new password with the emailed token, once; every session ends.");

        var authenticated = group.MapGroup("").RequireNativeBearer();
        authenticated.MapPost("/sign-out", SignOutAsync).WithName("SignOut").WithSummary("Ends the current session.");
        authenticated.MapGet("/me", MeAsync).WithName("Me").WithSummary("The signed-in user.");
        authenticated.MapPatch("/me", UpdateProfileAsync).WithName("UpdateProfile").WithSummary("Changes profile fields; absent fields stay as they are.");
        authenticated.MapPost("/password/change", ChangePasswordAsync).WithName("ChangePassword").WithSummary("Changes the password (current one required); other sessions end.").RequireRateLimiting(RateLimiting.SignIn);
        authenticated.MapPost("/email/confirmation", RequestConfirmationAsync).WithName("RequestEmailConfirmation").WithSummary("Emails a new confirmation link.").RequireRateLimiting(RateLimiting.Email);
        authenticated.MapGet("/sessions", ListSessionsAsync).WithName("ListSessions").WithSummary("The user's active sessions.");
        authenticated.MapDelete("/sessions/{sessionId}", EndSessionAsync).WithName("EndSession").WithSummary("Ends one of the user's sessions.");
        return app;
    }

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> RegisterAsync(RegisterRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        if (request.Password is null || (request.Email is null && request.Username is null))
        {
            return NativeProblems.Required(request.Password is null ? "password" : "email");
        }
        var result = await accounts.RegisterAsync(
            new RegistrationRequest { Email = request.Email, Username = request.Username, Password = request.Password, FirstName = request.FirstName, LastName = request.LastName },
            RegistrationMode.SelfService,
            http.ToRequestContext(Surfaces.Native),
            ct);
        return result.Succeeded
            ? TypedResults.Created($"{BasePath}/me", UserResponse.From(result.Value.User))
            : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> SignInAsync(SignInRequest request, SignInService signIn, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        if (request.Login is null || request.Password is null)
        {
            return NativeProblems.Required(request.Login is null ? "login" : "password");
        }
        var context = http.ToRequestContext(Surfaces.Native) is var c && request.DeviceId is not null ? c with { DeviceId = request.DeviceId } : c;
        var result = await signIn.SignInAsync(request.Login, request.Password, context, cancellationToken: ct);
        return result.Succeeded ? TypedResults.Ok(TokenResponse.From(result.Value.Tokens, time.GetUtcNow())) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(RefreshRequest request, SessionService sessions, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        if (request.RefreshToken is null)
        {
            return NativeProblems.Required("refreshToken");
        }
        var result = await sessions.RefreshAsync(request.RefreshToken, http.ToRequestContext(Surfaces.Native), cancellationToken: ct);
        if (result.Succeeded)
        {
            return TypedResults.Ok(TokenResponse.From(result.Value, time.GetUtcNow()));
        }
        // RFC 6749 section 5.2 would say invalid_grant; as problem details it is a 401.
        return NativeProblems.Problem(StatusCodes.Status401Unauthorized, result.Error!.Code, result.Error.Message);
    }

    private static async Task<NoContent> SignOutAsync(Caller caller, SessionService sessions, HttpContext http, CancellationToken ct)
    {
        await sessions.EndAsync(caller.SessionId, SessionEndReasons.SignOut, http.ToRequestContext(Surfaces.Native), caller.UserId, cancellationToken: ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> MeAsync(Caller caller, UserReadCache users, CancellationToken ct) =>
        await users.GetAsync(caller.UserId, ct) is { } user
            ? TypedResults.Ok(UserResponse.From(user))
            : NativeProblems.From(CoreErrors.NotFound);

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> UpdateProfileAsync(Caller caller, UpdateProfileRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var result = await accounts.UpdateProfileAsync(caller.UserId, request.ToCore(), http.ToRequestContext(Surfaces.Native), ct);
        return result.Succeeded ? TypedResults.Ok(UserResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(Caller caller, ChangePasswordRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        if (request.CurrentPassword is null || request.NewPassword is null)
        {
            return NativeProblems.Required(request.CurrentPassword is null ? "currentPassword" : "newPassword");
        }
        var result = await accounts.ChangePasswordAsync(caller.UserId, request.CurrentPassword, request.NewPassword, caller.SessionId, http.ToRequestContext(Surfaces.Native), ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> RequestConfirmationAsync(Caller caller, AccountService accounts, CancellationToken ct)
    {
        var result = await accounts.RequestEmailConfirmationAsync(caller.UserId, cancellationToken: ct);
        return result.Error?.Code == CoreErrors.RateLimitedCode ? NativeProblems.From(result.Error) : TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> ConfirmEmailAsync(TokenRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        if (request.Token is null)
        {
            return NativeProblems.Required("token");
        }
        var result = await accounts.ConfirmEmailAsync(request.Token, http.ToRequestContext(Surfaces.Native), ct);
        return result.Succeeded ? TypedResults.Ok(UserResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    /// <summary>
    /// Answers 202 whether or not the login exists, and whether or not the account's hourly mail
    /// limit dropped the email, so accounts cannot be discovered (ASVS 5.0 V6.4.1).
    /// </summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> RequestPasswordResetAsync(PasswordResetRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        if (request.Login is null)
        {
            return NativeProblems.Required("login");
        }
        var result = await accounts.RequestPasswordResetAsync(request.Login, null, http.ToRequestContext(Surfaces.Native), ct);
        return result.Error?.Code == CoreErrors.ValidationFailedCode ? NativeProblems.From(result.Error) : TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ResetPasswordAsync(CompletePasswordResetRequest request, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        if (request.Token is null || request.NewPassword is null)
        {
            return NativeProblems.Required(request.Token is null ? "token" : "newPassword");
        }
        var result = await accounts.ResetPasswordAsync(request.Token, request.NewPassword, http.ToRequestContext(Surfaces.Native), ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> AcceptInvitationAsync(AcceptInvitationRequest request, InvitationService invitations, HttpContext http, CancellationToken ct)
    {
        if (request.Token is null || request.Password is null)
        {
            return NativeProblems.Required(request.Token is null ? "token" : "password");
        }
        var result = await invitations.AcceptAsync(request.Token, request.Password, request.FirstName, request.LastName, http.ToRequestContext(Surfaces.Native), ct);
        return result.Succeeded ? TypedResults.Ok(UserResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Ok<IReadOnlyList<SessionResponse>>> ListSessionsAsync(Caller caller, SessionService sessions, CancellationToken ct)
    {
        var list = await sessions.ListActiveAsync(caller.UserId, ct);
        return TypedResults.Ok<IReadOnlyList<SessionResponse>>(list.Select(s => SessionResponse.From(s, caller.SessionId)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndSessionAsync(string sessionId, Caller caller, SessionService sessions, HttpContext http, CancellationToken ct)
    {
        var result = await sessions.EndAsync(sessionId, SessionEndReasons.EndedByUser, http.ToRequestContext(Surfaces.Native), caller.UserId, caller.UserId, ct);
        return result.Succeeded || result.Error!.Code == CoreErrors.SessionEndedCode ? TypedResults.NoContent() : NativeProblems.From(result.Error);
    }
}
