using System.Net;
using Gatehouse.Core.Accounts;
using Gatehouse.Server.Tests.Infrastructure;
using Gatehouse.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

/// <summary>Behaviour that depends on settings: each test runs its own host.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task With_registration_switched_off_sign_up_is_refused_but_admins_still_create_users()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Registration:Enabled"] = "false" });
        var api = factory.Native();
        var refused = await api.PostAsync("/api/v1/account/register", new { email = Emails.New(), password = NativeClient.Password });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("registration_disabled", await NativeClient.ProblemCodeAsync(refused));

        var (adminEmail, adminPassword) = await factory.CreateAdminAsync();
        var admin = (await api.SignInAsync(adminEmail, adminPassword)).AccessToken;
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, "/api/v1/admin/users", admin, new { email = Emails.New(), password = NativeClient.Password })).StatusCode);
    }

    [Fact]
    public async Task Sign_in_beyond_the_per_ip_limit_is_answered_429_with_retry_after()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:RateLimits:SignInPerMinute"] = "3" });
        var api = factory.Native();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.PostAsync("/api/v1/account/sign-in", new { login = Emails.New(), password = "whatever it is" })).StatusCode);
        }
        var limited = await api.PostAsync("/api/v1/account/sign-in", new { login = Emails.New(), password = "whatever it is" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limited", await NativeClient.ProblemCodeAsync(limited));
        Assert.True(limited.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task A_session_ended_on_one_instance_is_refused_by_another_within_a_second()
    {
        var clock = new FakeTimeProvider();
        using var database = TestDatabase.Create();
        using var first = new GatehouseFactory(new Dictionary<string, string?>(), database, clock);
        using var second = new GatehouseFactory(new Dictionary<string, string?>(), database, clock);
        var a = first.Native();
        var b = second.Native();
        var email = Emails.New();
        await a.RegisterAsync(email);
        var tokens = await a.SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await b.MeAsync(tokens.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await a.SendAsync(HttpMethod.Post, "/api/v1/account/sign-out", tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await a.MeAsync(tokens.AccessToken)).StatusCode);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await b.MeAsync(tokens.AccessToken)));
    }

    [Fact]
    public async Task A_token_refreshed_on_one_instance_works_at_once_on_another()
    {
        var clock = new FakeTimeProvider();
        using var database = TestDatabase.Create();
        using var first = new GatehouseFactory(new Dictionary<string, string?>(), database, clock);
        using var second = new GatehouseFactory(new Dictionary<string, string?>(), database, clock);
        var email = Emails.New();
        await first.Native().RegisterAsync(email);
        var tokens = await first.Native().SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await second.Native().MeAsync(tokens.AccessToken)).StatusCode);

        var refreshed = await NativeClient.ReadTokensAsync(await first.Native().RefreshAsync(tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, (await second.Native().MeAsync(refreshed.AccessToken)).StatusCode);
    }

    [Theory]
    // Real vectors for NativeClient.Password: libxcrypt bcrypt $2y$, and ASP.NET Core Identity V3.
    [InlineData("$2y$05$ZQH9fHIe3pGkJQm0XbTaqewdXo7zANTBftIkHfmT0WStIDnmTTcki")]
    [InlineData("AQAAAAIAAYagAAAAEHx3u7eDjrEueirO/p8OWTq6z3Lth/kkveGvsMFvm0Vck3gSVBIg8Zebq4MGNel67A==")]
    public async Task An_imported_hash_signs_in_and_is_rehashed_to_argon2id(string importedHash)
    {
        using var factory = new GatehouseFactory();
        var api = factory.Native();
        var email = Emails.New();
        const string password = NativeClient.Password;
        await api.RegisterAsync(email);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            var user = db.Users.Single(u => u.NormalizedEmail == Normalizer.Email(email));
            user.PasswordHash = importedHash;
            await db.SaveChangesAsync();
        }

        await api.SignInAsync(email, password);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            var user = db.Users.Single(u => u.NormalizedEmail == Normalizer.Email(email));
            Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", user.PasswordHash, StringComparison.Ordinal);
        }
        await api.SignInAsync(email, password);
    }
}
