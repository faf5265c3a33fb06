using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Dialects.Arc;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>
/// Role changes reach live tokens, and clients' lifetimes are capped (issue 19, finding 5),
/// through the real host.
/// </summary>
public sealed class RoleChangeTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _api = factory.Native();

    private async Task<(string Token, string RefreshToken, string Id)> SignedInAdminAsync(NativeClient api)
    {
        var (email, password) = await factory.CreateAdminAsync();
        var tokens = await api.SignInAsync(email, password);
        var me = await (await api.MeAsync(tokens.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        return (tokens.AccessToken, tokens.RefreshToken, me.GetProperty("id").GetString()!);
    }

    private Task<HttpResponseMessage> DemoteAsync(string adminToken, string userId) =>
        _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{userId}/roles", adminToken, new { roles = Array.Empty<string>() });

    [Fact]
    public async Task A_demoted_administrator_s_token_is_refused_by_the_admin_api_at_once_and_a_refreshed_token_has_the_new_roles()
    {
        var acting = await SignedInAdminAsync(_api);
        var demoted = await SignedInAdminAsync(_api);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, "/api/v1/admin/users", demoted.Token)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await DemoteAsync(acting.Token, demoted.Id)).StatusCode);

        // No time passes on this instance: the old token is superseded at once.
        var refused = await _api.SendAsync(HttpMethod.Get, "/api/v1/admin/users", demoted.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(refused));
        // The session lives on: a refresh gives a token with the roles that hold now.
        var refreshed = await _api.RefreshAsync(demoted.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var token = (await NativeClient.ReadTokensAsync(refreshed)).AccessToken;
        var forbidden = await _api.SendAsync(HttpMethod.Get, "/api/v1/admin/users", token);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("forbidden", await NativeClient.ProblemCodeAsync(forbidden));
        var me = await (await _api.MeAsync(token)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, me.GetProperty("roles").GetArrayLength());
        // The acting administrator's own token is untouched.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, "/api/v1/admin/users", acting.Token)).StatusCode);
    }

    [Fact]
    public async Task Another_instance_sharing_the_database_refuses_a_demoted_administrator_s_token_within_a_second()
    {
        using var other = new GatehouseFactory(new Dictionary<string, string?>(), factory.Database, factory.Clock);
        var otherApi = other.Native();
        var acting = await SignedInAdminAsync(_api);
        var demoted = await SignedInAdminAsync(_api);
        // The other instance has the session's state cached.
        Assert.Equal(HttpStatusCode.OK, (await otherApi.SendAsync(HttpMethod.Get, "/api/v1/admin/users", demoted.Token)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await DemoteAsync(acting.Token, demoted.Id)).StatusCode);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));

        var refused = await otherApi.SendAsync(HttpMethod.Get, "/api/v1/admin/users", demoted.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(refused));
    }

    [Fact]
    public async Task A_client_lifetime_above_the_configured_maximum_is_refused_by_the_admin_api_and_by_arc()
    {
        var admin = await SignedInAdminAsync(_api);
        var clientId = "capped-" + Guid.NewGuid().ToString("N")[..8];

        // Gatehouse:Tokens:MaximumAccessTokenLifetime is a day by default.
        var created = await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/clients", admin.Token, new { clientId, accessTokenLifetimeSeconds = 86401 });
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal("application/problem+json", created.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.Equal("too_large", problem.GetProperty("errors").GetProperty("accessTokenLifetimeSeconds")[0].GetString());
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/clients", admin.Token, new { clientId, accessTokenLifetimeSeconds = 86400 })).StatusCode);
        var patched = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/admin/clients/{clientId}", admin.Token, new { refreshTokenLifetimeSeconds = int.MaxValue });
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);

        var arc = new ArcApi(factory);
        var arcCreated = await arc.PostAsync("/auth-clients", new
        {
            clientId = clientId + "-arc",
            clientSecret = "a client secret of some length",
            secret = "a code signing secret value",
            accessTokenExpiration = int.MaxValue,
            refreshTokenExpiration = 86400,
            authCodeExpiration = 180,
        }, admin.Token);
        await ArcApi.AssertErrorAsync(arcCreated, HttpStatusCode.UnprocessableEntity,
            "Token expirations must not exceed the server's maximum lifetimes (Gatehouse:Tokens:Maximum…Lifetime).");
        var arcPatched = await arc.SendAsync(HttpMethod.Patch, "/auth-clients?where=" + Uri.EscapeDataString(JsonSerializer.Serialize(new { clientId })), new { authCodeExpiration = 601 }, admin.Token);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, arcPatched.StatusCode);
    }
}
