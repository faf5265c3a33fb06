using System.Net;
using System.Net.Http.Json;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Infrastructure;
using Gatehouse.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

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
        using var hosts = new TwoInstances();
        var a = hosts.First.Native();
        var b = hosts.Second.Native();
        var tokens = await hosts.SignedInUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await b.MeAsync(tokens.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await a.SendAsync(HttpMethod.Post, "/api/v1/account/sign-out", tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await a.MeAsync(tokens.AccessToken)).StatusCode);

        hosts.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await b.MeAsync(tokens.AccessToken)));
    }

    [Fact]
    public async Task A_token_refreshed_on_one_instance_works_at_once_on_another()
    {
        using var hosts = new TwoInstances();
        var tokens = await hosts.SignedInUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await hosts.Second.Native().MeAsync(tokens.AccessToken)).StatusCode);

        var refreshed = await NativeClient.ReadTokensAsync(await hosts.First.Native().RefreshAsync(tokens.RefreshToken));
        Assert.Equal(HttpStatusCode.OK, (await hosts.Second.Native().MeAsync(refreshed.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task A_profile_change_shows_at_once_on_its_own_instance_and_within_a_second_on_another()
    {
        using var hosts = new TwoInstances();
        var tokens = await hosts.SignedInUserAsync();
        Assert.Null(await FirstNameAsync(hosts.First, tokens.AccessToken));
        Assert.Null(await FirstNameAsync(hosts.Second, tokens.AccessToken));

        Assert.Equal(HttpStatusCode.OK, (await hosts.First.Native().SendAsync(HttpMethod.Patch, "/api/v1/account/me", tokens.AccessToken, new { firstName = "Ada" })).StatusCode);
        Assert.Equal("Ada", await FirstNameAsync(hosts.First, tokens.AccessToken));

        hosts.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Ada", await FirstNameAsync(hosts.Second, tokens.AccessToken));
    }

    [Fact]
    public async Task An_admin_change_to_a_user_shows_at_once_in_that_users_me()
    {
        using var factory = new GatehouseFactory();
        var api = factory.Native();
        var email = Emails.New();
        var registered = await api.RegisterAsync(email);
        var tokens = await api.SignInAsync(email);
        Assert.Null(await FirstNameAsync(factory, tokens.AccessToken));
        var (adminEmail, adminPassword) = await factory.CreateAdminAsync();
        var admin = (await api.SignInAsync(adminEmail, adminPassword)).AccessToken;

        var changed = await api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/users/{registered.GetProperty("id").GetString()}", admin, new { firstName = "Grace" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("Grace", await FirstNameAsync(factory, tokens.AccessToken));
    }

    /// <summary>Two hosts on one database and one clock, as two instances behind a load balancer.</summary>
    private sealed class TwoInstances : IDisposable
    {
        private readonly TestDatabase _database = TestDatabase.Create();

        public TwoInstances()
        {
            First = new GatehouseFactory(new Dictionary<string, string?>(), _database, Clock);
            Second = new GatehouseFactory(new Dictionary<string, string?>(), _database, Clock);
        }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
        public GatehouseFactory First { get; }
        public GatehouseFactory Second { get; }

        /// <summary>A new user, registered and signed in on the first instance.</summary>
        public async Task<NativeClient.Tokens> SignedInUserAsync()
        {
            var email = Emails.New();
            await First.Native().RegisterAsync(email);
            return await First.Native().SignInAsync(email);
        }

        public void Dispose()
        {
            Second.Dispose();
            First.Dispose();
            _database.Dispose();
        }
    }

    private static async Task<string?> FirstNameAsync(GatehouseFactory host, string accessToken)
    {
        var me = await host.Native().MeAsync(accessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var property = (await me.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("firstName");
        return property.ValueKind == System.Text.Json.JsonValueKind.Null ? null : property.GetString();
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
            var user = (await scope.ServiceProvider.GetRequiredService<IUserRepository>().FindByEmailAsync(Normalizer.Email(email)))!;
            user.PasswordHash = importedHash;
            await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().SaveChangesAsync();
        }

        await api.SignInAsync(email, password);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var user = (await scope.ServiceProvider.GetRequiredService<IUserRepository>().FindByEmailAsync(Normalizer.Email(email)))!;
            Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", user.PasswordHash, StringComparison.Ordinal);
        }
        await api.SignInAsync(email, password);
    }
}
