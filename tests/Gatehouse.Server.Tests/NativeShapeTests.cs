using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>Golden files pin the native API's main wire shapes.</summary>
public sealed class NativeShapeTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _api = factory.Native();

    [Fact]
    public async Task The_token_response_and_the_user_keep_their_shape()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var signIn = await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password });
        Golden.AssertMatches("native/token-response.json", await signIn.Content.ReadAsStringAsync());
        var tokens = await NativeClient.ReadTokensAsync(await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password }));
        Golden.AssertMatches("native/user.json", await (await _api.MeAsync(tokens.AccessToken)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_validation_problem_keeps_its_shape()
    {
        var response = await _api.PostAsync("/api/v1/account/register", new { email = Emails.New(), password = "Zq9!x" });
        Golden.AssertMatches("native/validation-problem.json", await response.Content.ReadAsStringAsync());
    }
}
