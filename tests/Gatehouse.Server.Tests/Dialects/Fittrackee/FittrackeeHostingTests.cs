using System.Net;
using System.Text;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Fittrackee;

/// <summary>Bad inputs under /api/auth, the token's expiry, and the dialect's configuration switches.</summary>
public sealed class FittrackeeHostingTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly FittrackeeClient _api = new(factory.CreateClient());

    [Theory]
    [InlineData("GET", "/nope", 404, "Page not found.")]
    [InlineData("GET", "/profile/nope", 404, "Page not found.")]
    [InlineData("GET", "/login", 405, "Method not allowed.")]
    [InlineData("PUT", "/picture", 405, "Method not allowed.")]
    [InlineData("POST", "/logout", 405, "Method not allowed.")]
    public async Task Unknown_routes_and_wrong_methods_answer_json_errors(string method, string path, int status, string message)
    {
        var answer = await _api.SendAsync(new HttpMethod(method), path);
        FittrackeeClient.AssertError(answer, (HttpStatusCode)status, message);
        Golden.AssertMatches("fittrackee/error.json", answer.Body);
    }

    [Theory]
    [InlineData("/register")]
    [InlineData("/login")]
    public async Task Malformed_json_wrong_types_and_wrong_content_types_are_invalid_payloads(string path)
    {
        FittrackeeClient.AssertError(await _api.PostJsonAsync(path, "{\"email\":"), HttpStatusCode.BadRequest, "Invalid payload.");
        FittrackeeClient.AssertError(await _api.PostJsonAsync(path, """{"username":1,"email":true,"password":[],"password_conf":{}}"""), HttpStatusCode.BadRequest, "Invalid payload.");
        FittrackeeClient.AssertError(await _api.SendAsync(HttpMethod.Post, path, content: new StringContent("email=a", Encoding.UTF8, "application/x-www-form-urlencoded")), HttpStatusCode.BadRequest, "Invalid payload.");
        FittrackeeClient.AssertError(await _api.SendAsync(HttpMethod.Post, path), HttpStatusCode.BadRequest, "Invalid payload.");
    }

    [Fact]
    public async Task An_oversized_json_body_is_a_json_413()
    {
        var huge = "{\"email\":\"" + new string('a', 200_000) + "\",\"password\":\"x\"}";
        FittrackeeClient.AssertError(await _api.PostJsonAsync("/login", huge), HttpStatusCode.RequestEntityTooLarge, "Error. Request body too large.");
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        FittrackeeClient.AssertError(await _api.SendAsync(HttpMethod.Post, "/register", content: chunked), HttpStatusCode.RequestEntityTooLarge, "Error. Request body too large.");
    }

    [Fact]
    public async Task An_expired_token_says_the_signature_expired()
    {
        using var own = new GatehouseFactory();
        var api = new FittrackeeClient(own.CreateClient());
        var (_, token) = await api.NewUserAsync();
        own.Clock.Advance(TimeSpan.FromMinutes(16));
        FittrackeeClient.AssertError(await api.ProfileAsync(token), HttpStatusCode.Unauthorized, "Signature expired. Please log in again.");
        FittrackeeClient.AssertError(await api.SendAsync(HttpMethod.Get, "/logout", token), HttpStatusCode.Unauthorized, "Signature expired. Please log in again.");
    }

    [Fact]
    public async Task Registration_disabled_is_403_before_the_body_is_looked_at()
    {
        using var own = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Registration:Enabled"] = "false" });
        var api = new FittrackeeClient(own.CreateClient());
        FittrackeeClient.AssertError(await api.RegisterAsync(FittrackeeClient.NewUsername(), Emails.New("ft")), HttpStatusCode.Forbidden, "Error. Registration is disabled.");
        FittrackeeClient.AssertError(await api.PostJsonAsync("/register", "{}"), HttpStatusCode.Forbidden, "Error. Registration is disabled.");
    }

    [Fact]
    public async Task The_dialect_moves_to_another_base_path_by_configuration()
    {
        using var own = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:fittrackee:BasePath"] = "/fit/auth", ["Gatehouse:Dialects:arc:Enabled"] = "false" });
        var moved = new FittrackeeClient(own.CreateClient(), "/fit/auth");
        var (_, token) = await moved.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await moved.ProfileAsync(token)).Status);
        FittrackeeClient.AssertError(await moved.SendAsync(HttpMethod.Get, "/nope"), HttpStatusCode.NotFound, "Page not found.");

        var old = await own.CreateClient().GetAsync("/api/auth/profile");
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.Equal("application/problem+json", old.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_switched_off_dialect_is_not_served()
    {
        using var own = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:fittrackee:Enabled"] = "false", ["Gatehouse:Dialects:arc:Enabled"] = "false" });
        var response = await own.CreateClient().PostAsync("/api/auth/login", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_token_from_the_native_api_works_here_too()
    {
        var email = Emails.New("native");
        var native = factory.Native();
        await native.RegisterAsync(email);
        var tokens = await native.SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await _api.ProfileAsync(tokens.AccessToken)).Status);
    }
}
