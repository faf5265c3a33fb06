using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Dialects.Arc;
using Gatehouse.Server.Tests.Dialects.Ccx;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

/// <summary>
/// Per-account throttling through the real host and database (issue 19, findings 2 and 9): every
/// check of a password reserves its attempt in one statement before the hash, so guesses sent
/// in parallel count as the same guesses sent one after another, and a locked account answers
/// as a wrong password on every surface.
/// </summary>
public sealed class ThrottlingTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private const string SignInPath = "/api/v1/account/sign-in";
    private const int Guesses = 60;
    private readonly NativeClient _api = factory.Native();

    /// <summary>The user's row as the database holds it now.</summary>
    internal static async Task<User> UserRowAsync(GatehouseFactory host, string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<IUserRepository>().FindByEmailAsync(Normalizer.Email(email));
        return user ?? throw new InvalidOperationException("No user " + email);
    }

    private static DateTimeOffset InMilliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    /// <summary>
    /// <see cref="Guesses"/> wrong guesses at one account all at once, the same at another one
    /// after another: both rows must end alike, and every answer be the wrong-password one.
    /// </summary>
    private static async Task<(User Parallel, User Sequential)> GuessAsync(GatehouseFactory host)
    {
        var api = host.Native();
        var parallel = Emails.New();
        var sequential = Emails.New();
        await api.RegisterAsync(parallel);
        await api.RegisterAsync(sequential);

        var answers = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(i => api.PostAsync(SignInPath, new { login = parallel, password = "wrong guess " + i })));
        for (var i = 0; i < Guesses; i++)
        {
            var answer = await api.PostAsync(SignInPath, new { login = sequential, password = "wrong guess " + i });
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal(CoreErrors.InvalidCredentialsCode, await NativeClient.ProblemCodeAsync(answer));
        }
        var rows = (await UserRowAsync(host, parallel), await UserRowAsync(host, sequential));
        Assert.Equal(rows.Item2.FailedSignIns, rows.Item1.FailedSignIns);
        Assert.Equal(rows.Item2.LockedUntil, rows.Item1.LockedUntil);
        return rows;
    }

    [Fact]
    public async Task Sixty_parallel_wrong_guesses_at_one_account_count_exactly_as_sixty_sequential_ones()
    {
        var (parallel, _) = await GuessAsync(factory);

        // Five free failures, the sixth starts a one-second delay, and the clock has not moved:
        // every later guess was refused without being counted.
        Assert.Equal(6, parallel.FailedSignIns);
        Assert.Equal(InMilliseconds(factory.Clock.GetUtcNow()) + TimeSpan.FromSeconds(1), parallel.LockedUntil);
    }

    [Fact]
    public async Task Sixty_parallel_wrong_guesses_reach_the_lock_until_a_reset_exactly_at_the_maximum()
    {
        using var host = new GatehouseFactory(new Dictionary<string, string?>
        {
            ["Gatehouse:SignIn:FreeFailures"] = "100",
            ["Gatehouse:SignIn:MaximumConsecutiveFailures"] = "20",
        });

        var (parallel, _) = await GuessAsync(host);

        Assert.Equal(20, parallel.FailedSignIns);
        Assert.Equal(InMilliseconds(DateTimeOffset.MaxValue), parallel.LockedUntil);
    }

    /// <summary>Status and body, without what differs between any two answers (a trace id).</summary>
    private static async Task<string> AnswerAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var json = JsonNode.Parse(body)!;
        if (json is JsonObject problem)
        {
            problem.Remove("traceId");
        }
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {json.ToJsonString()}";
    }

    [Fact]
    public async Task A_locked_account_and_an_unknown_login_answer_exactly_as_a_wrong_password_on_every_surface()
    {
        var arc = new ArcApi(factory);
        var client = await arc.CreateClientAsync();
        var locked = await arc.UserOnClientAsync(client);
        var other = await arc.UserOnClientAsync(client);
        var unknown = Emails.New("nobody");
        for (var i = 0; i < 6; i++)
        {
            await _api.PostAsync(SignInPath, new { login = locked, password = "wrong guess " + i });
        }
        Assert.NotNull((await UserRowAsync(factory, locked)).LockedUntil);

        // Each surface's password sign-in: (login, password) -> the answer.
        var ccx = CcxClient.For(factory);
        var fittrackee = new Dialects.Fittrackee.FittrackeeClient(factory.CreateClient());
        var surfaces = new (string Name, Func<string, string, Task<HttpResponseMessage>> SignIn)[]
        {
            ("native", (login, password) => _api.PostAsync(SignInPath, new { login, password })),
            ("ccx", (login, password) => ccx.PostAsync("/login", new { login, password })),
            ("fittrackee", async (login, password) => (await fittrackee.LoginAsync(login, password)).Response),
            ("arc", (login, password) => arc.LoginRawAsync(client, login, password)),
        };
        foreach (var (name, signIn) in surfaces)
        {
            var wrong = await AnswerAsync(await signIn(other, "not the password at all"));
            Assert.StartsWith(name == "fittrackee" ? "404" : "401", wrong, StringComparison.Ordinal);
            Assert.Equal(wrong, await AnswerAsync(await signIn(unknown, "not the password at all")));
            Assert.Equal(wrong, await AnswerAsync(await signIn(locked, NativeClient.Password)));
            Assert.Equal(wrong, await AnswerAsync(await signIn(locked, "not the password at all")));
        }

        // Nothing was counted while locked; once the delay has passed the right password works.
        Assert.Equal(6, (await UserRowAsync(factory, locked)).FailedSignIns);
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        await _api.SignInAsync(locked);
    }

    private Task<HttpResponseMessage> ChangePasswordAsync(string accessToken, string current, string next = "a brand new passphrase") =>
        _api.SendAsync(HttpMethod.Post, "/api/v1/account/password/change", accessToken, new { currentPassword = current, newPassword = next });

    [Fact]
    public async Task Wrong_current_passwords_of_a_password_change_count_and_lock_the_account_as_sign_in_failures()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var session = await _api.SignInAsync(email);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ChangePasswordAsync(session.AccessToken, "wrong guess " + i)));

        foreach (var answer in answers)
        {
            Assert.Equal(CoreErrors.WrongPasswordCode, await NativeClient.ProblemCodeAsync(answer));
        }
        var row = await UserRowAsync(factory, email);
        Assert.Equal(6, row.FailedSignIns);
        Assert.NotNull(row.LockedUntil);
        // Locked: the right password neither signs in nor changes the password.
        Assert.Equal(CoreErrors.InvalidCredentialsCode, await NativeClient.ProblemCodeAsync(await _api.PostAsync(SignInPath, new { login = email, password = NativeClient.Password })));
        Assert.Equal(CoreErrors.WrongPasswordCode, await NativeClient.ProblemCodeAsync(await ChangePasswordAsync(session.AccessToken, NativeClient.Password)));

        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.NoContent, (await ChangePasswordAsync(session.AccessToken, NativeClient.Password)).StatusCode);
        Assert.Equal(0, (await UserRowAsync(factory, email)).FailedSignIns);
    }

    [Fact]
    public async Task The_password_change_shares_the_per_ip_sign_in_limit()
    {
        using var host = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:RateLimits:SignInPerMinute"] = "3" });
        var api = host.Native();
        var email = Emails.New();
        await api.RegisterAsync(email);
        var session = await api.SignInAsync(email);

        async Task<HttpResponseMessage> ChangeAsync() =>
            await api.SendAsync(HttpMethod.Post, "/api/v1/account/password/change", session.AccessToken, new { currentPassword = "wrong guess", newPassword = "a brand new passphrase" });

        Assert.Equal(CoreErrors.WrongPasswordCode, await NativeClient.ProblemCodeAsync(await ChangeAsync()));
        Assert.Equal(CoreErrors.WrongPasswordCode, await NativeClient.ProblemCodeAsync(await ChangeAsync()));
        var limited = await ChangeAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limited", await NativeClient.ProblemCodeAsync(limited));
        Assert.True(limited.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task A_stored_hash_far_costlier_than_the_configured_one_does_not_verify_and_the_user_resets_the_password()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var user = (await scope.ServiceProvider.GetRequiredService<IUserRepository>().FindByEmailAsync(Normalizer.Email(email)))!;
            // The Argon2 reference test vector: the right hash of "password", but with 64 MiB,
            // over twice the configured 19 MiB.
            user.PasswordHash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().SaveChangesAsync();
        }

        var signIn = await _api.PostAsync(SignInPath, new { login = email, password = "password" });

        Assert.Equal(CoreErrors.InvalidCredentialsCode, await NativeClient.ProblemCodeAsync(signIn));
        Assert.Equal(HttpStatusCode.Accepted, (await _api.PostAsync("/api/v1/account/password/reset-request", new { login = email })).StatusCode);
        var mail = await MailDev.WaitForAsync(email, "Reset your");
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync("/api/v1/account/password/reset", new { token = mail.Token, newPassword = "a brand new passphrase" })).StatusCode);
        await _api.SignInAsync(email, "a brand new passphrase");
    }
}
