using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Server.Tests;

public sealed class SystemEndpointTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task The_server_is_live_and_ready_once_migrations_are_applied()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
        var ready = await _http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_jwks_publishes_the_key_that_signed_an_access_token()
    {
        var api = factory.Native();
        var email = Emails.New();
        await api.RegisterAsync(email);
        var tokens = await api.SignInAsync(email);
        var jwt = new JsonWebToken(tokens.AccessToken);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal(GatehouseFactory.PublicBaseUrl, jwt.Issuer);
        foreach (var claim in new[] { "sub", "aud", "exp", "iat", "jti", "sid" })
        {
            Assert.True(jwt.TryGetPayloadValue<object>(claim, out _), $"missing {claim}");
        }

        var jwks = await _http.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json");
        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray(), k => k.GetProperty("kid").GetString() == jwt.Kid);
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.False(key.TryGetProperty("d", out _), "the private key must never be published");
    }

    [Fact]
    public async Task The_openapi_document_and_the_docs_page_are_served()
    {
        var doc = await _http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/account/sign-in", out _));
        Assert.True(paths.TryGetProperty("/api/v1/admin/users", out _));
        var docs = await _http.GetAsync("/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("swagger", await docs.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unknown_route_and_a_wrong_method_are_problem_details()
    {
        var missing = await _http.GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found", await NativeClient.ProblemCodeAsync(missing));

        var method = await _http.PutAsync("/api/v1/account/sign-in", JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.Equal("method_not_allowed", await NativeClient.ProblemCodeAsync(method));
    }
}
