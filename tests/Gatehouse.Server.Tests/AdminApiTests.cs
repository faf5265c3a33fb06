using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests;

public sealed class AdminApiTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _api = factory.Native();

    private async Task<string> AdminTokenAsync()
    {
        var (email, password) = await factory.CreateAdminAsync();
        return (await _api.SignInAsync(email, password)).AccessToken;
    }

    [Fact]
    public async Task A_user_without_the_admin_role_is_forbidden_from_the_admin_api()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var token = (await _api.SignInAsync(email)).AccessToken;
        var response = await _api.SendAsync(HttpMethod.Get, "/api/v1/admin/users", token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", await NativeClient.ProblemCodeAsync(response));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(HttpMethod.Get, "/api/v1/admin/users")).StatusCode);
    }

    [Fact]
    public async Task An_admin_creates_finds_and_updates_a_user()
    {
        var admin = await AdminTokenAsync();
        var email = Emails.New("created");
        var created = await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/users", admin, new { email, password = NativeClient.Password, firstName = "Grace", emailConfirmed = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var page = await (await _api.SendAsync(HttpMethod.Get, $"/api/v1/admin/users?search={Uri.EscapeDataString(email[..20])}", admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal(id, page.GetProperty("items")[0].GetProperty("id").GetString());

        var updated = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/users/{id}", admin, new { lastName = "Hopper" });
        Assert.Equal("Hopper", (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lastName").GetString());

        // The user created by an admin signs in through the account API.
        await _api.SignInAsync(email);

        var audit = await (await _api.SendAsync(HttpMethod.Get, $"/api/v1/admin/audit-events?userId={id}", admin)).Content.ReadFromJsonAsync<JsonElement>();
        var types = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("admin.user_created", types);
        Assert.Contains("admin.user_updated", types);
        Assert.Contains("sign_in.succeeded", types);
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_sessions_and_refuses_sign_in()
    {
        var admin = await AdminTokenAsync();
        var email = Emails.New();
        var id = (await _api.RegisterAsync(email)).GetProperty("id").GetString();
        var tokens = await _api.SignInAsync(email);

        var disabled = await _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{id}/disabled", admin, new { disabled = true });
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(tokens.AccessToken)));
        var signIn = await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password });
        Assert.Equal("account_disabled", await NativeClient.ProblemCodeAsync(signIn));

        await _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{id}/disabled", admin, new { disabled = false });
        await _api.SignInAsync(email);
    }

    [Fact]
    public async Task A_deleted_account_cannot_sign_in_and_its_email_cannot_sign_up_again()
    {
        var admin = await AdminTokenAsync();
        var email = Emails.New();
        var id = (await _api.RegisterAsync(email)).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/admin/users/{id}", admin)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password })).StatusCode);
        var again = await _api.PostAsync("/api/v1/account/register", new { email, password = NativeClient.Password });
        Assert.Equal("account_deleted", await NativeClient.ProblemCodeAsync(again));
    }

    [Fact]
    public async Task Roles_set_by_an_admin_show_in_the_next_token()
    {
        var admin = await AdminTokenAsync();
        var email = Emails.New();
        var id = (await _api.RegisterAsync(email)).GetProperty("id").GetString();
        var roles = await _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{id}/roles", admin, new { roles = new[] { "admin" } });
        Assert.Equal(HttpStatusCode.OK, roles.StatusCode);
        var token = (await _api.SignInAsync(email)).AccessToken;
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, "/api/v1/admin/users", token)).StatusCode);

        var unknown = await _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{id}/roles", admin, new { roles = new[] { "root" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task An_admin_manages_clients_and_reads_their_secret_back()
    {
        var admin = await AdminTokenAsync();
        var clientId = "app-" + Guid.NewGuid().ToString("N")[..8];
        var created = await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/clients", admin, new { clientId, name = "My app", redirectUris = new[] { "https://app.example.com/cb" }, accessTokenLifetimeSeconds = 600 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString();
        Assert.False(string.IsNullOrEmpty(secret));

        var read = await (await _api.SendAsync(HttpMethod.Get, $"/api/v1/admin/clients/{clientId}", admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(secret, read.GetProperty("secret").GetString());
        Assert.Equal(600, read.GetProperty("accessTokenLifetimeSeconds").GetInt32());

        var duplicate = await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/clients", admin, new { clientId });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        var updated = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/clients/{clientId}", admin, new { name = "Renamed" });
        Assert.Equal("Renamed", (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/admin/clients/{clientId}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/admin/clients/{clientId}", admin)).StatusCode);
    }

    [Fact]
    public async Task Client_secrets_are_stored_encrypted_not_in_plain_text()
    {
        var admin = await AdminTokenAsync();
        var clientId = "enc-" + Guid.NewGuid().ToString("N")[..8];
        const string secret = "plain-secret-value-0123456789";
        await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/clients", admin, new { clientId, secret });
        await using var scope = factory.Services.CreateAsyncScope();
        var stored = (await scope.ServiceProvider.GetRequiredService<Gatehouse.Core.Common.IClientRepository>().FindAsync(clientId))!;
        Assert.DoesNotContain(secret, stored.ProtectedSecret, StringComparison.Ordinal);
    }
}
