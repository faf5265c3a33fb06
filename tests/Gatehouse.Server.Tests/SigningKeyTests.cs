using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Server.Tests;

public sealed class SigningKeyTests
{
    [Fact]
    public async Task After_the_rotation_period_a_new_key_signs_and_the_old_one_stays_published()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Tokens:SigningKeyRotation"] = "1.00:00:00" });
        var api = factory.Native();
        var email = Emails.New();
        await api.RegisterAsync(email);
        var before = new JsonWebToken((await api.SignInAsync(email)).AccessToken).Kid;

        factory.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var tokens = await api.SignInAsync(email);
        var after = new JsonWebToken(tokens.AccessToken).Kid;
        Assert.NotEqual(before, after);
        Assert.Equal(HttpStatusCode.OK, (await api.MeAsync(tokens.AccessToken)).StatusCode);

        var kids = (await factory.CreateClient().GetFromJsonAsync<JsonElement>("/.well-known/jwks.json")).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Contains(before, kids);
        Assert.Contains(after, kids);
    }

    [Fact]
    public async Task An_access_token_header_names_its_algorithm_key_and_type_and_nothing_else()
    {
        using var factory = new GatehouseFactory();
        var api = factory.Native();
        var email = Emails.New();
        await api.RegisterAsync(email);
        var token = new JsonWebToken((await api.SignInAsync(email)).AccessToken);

        var header = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.EncodedHeader));

        Assert.Equal($$"""{"alg":"ES256","kid":"{{token.Kid}}","typ":"at+jwt"}""", header);
        Assert.Equal(token.IssuedAt, token.ValidFrom);
        Assert.True(token.ValidTo > token.IssuedAt);
    }

    [Fact]
    public async Task Rs256_can_be_chosen_instead_of_es256()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Tokens:SigningAlgorithm"] = "RS256" });
        var api = factory.Native();
        var email = Emails.New();
        await api.RegisterAsync(email);
        var tokens = await api.SignInAsync(email);
        Assert.Equal("RS256", new JsonWebToken(tokens.AccessToken).Alg);
        Assert.Equal(HttpStatusCode.OK, (await api.MeAsync(tokens.AccessToken)).StatusCode);
        var key = (await factory.CreateClient().GetFromJsonAsync<JsonElement>("/.well-known/jwks.json")).GetProperty("keys")[0];
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Fact]
    public async Task Signing_keys_are_stored_with_the_private_half_encrypted()
    {
        using var factory = new GatehouseFactory();
        await factory.CreateClient().GetAsync("/.well-known/jwks.json");
        await using var scope = factory.Services.CreateAsyncScope();
        var key = (await scope.ServiceProvider.GetRequiredService<Gatehouse.Core.Common.ISigningKeyRepository>().ListPublishedAsync(DateTimeOffset.UtcNow))[0];
        Assert.DoesNotContain("\"d\"", key.PublicJwk, StringComparison.Ordinal);
        // A PKCS#8 key in base64 starts with "MI"; the stored value is a Data Protection payload.
        Assert.False(key.ProtectedPrivateKey.StartsWith("MI", StringComparison.Ordinal));
    }
}
