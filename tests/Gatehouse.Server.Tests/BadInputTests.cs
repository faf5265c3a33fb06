using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>
/// Every native and admin endpoint that takes a body answers bad input with a 4xx
/// problem+json, never a 5xx or an HTML page, and keeps nothing of a failed request.
/// </summary>
public sealed class BadInputTests(BadInputTests.Fixture fixture) : IClassFixture<BadInputTests.Fixture>
{
    public sealed class Fixture : GatehouseFactory
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private string? _userToken;
        private string? _adminToken;
        private string? _userId;

        public async Task<(string User, string Admin, string UserId)> TokensAsync()
        {
            await _lock.WaitAsync();
            try
            {
                if (_userToken is null)
                {
                    var api = Native();
                    var email = Emails.New();
                    var registered = await api.RegisterAsync(email);
                    _userId = registered.GetProperty("id").GetString();
                    _userToken = (await api.SignInAsync(email)).AccessToken;
                    var (adminEmail, adminPassword) = await CreateAdminAsync();
                    _adminToken = (await api.SignInAsync(adminEmail, adminPassword)).AccessToken;
                }
                return (_userToken, _adminToken!, _userId!);
            }
            finally
            {
                _lock.Release();
            }
        }
    }

    /// <summary>An endpoint, a valid body for it, and who may call it.</summary>
    public sealed record Endpoint(string Method, string Path, string Body, string Auth, bool HasRequiredFields = true)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    public static readonly TheoryData<Endpoint> Endpoints =
    [
        new("POST", "/api/v1/account/register", """{"email":"x@example.com","password":"a fine passphrase","firstName":"A"}""", "none"),
        new("POST", "/api/v1/account/sign-in", """{"login":"x@example.com","password":"a fine passphrase"}""", "none"),
        new("POST", "/api/v1/account/refresh", """{"refreshToken":"abc"}""", "none"),
        new("POST", "/api/v1/account/email/confirm", """{"token":"abc"}""", "none"),
        new("POST", "/api/v1/account/password/reset-request", """{"login":"x@example.com"}""", "none"),
        new("POST", "/api/v1/account/password/reset", """{"token":"abc","newPassword":"a fine passphrase"}""", "none"),
        new("PATCH", "/api/v1/account/me", """{"firstName":"A","bio":"b"}""", "user", HasRequiredFields: false),
        new("POST", "/api/v1/account/password/change", """{"currentPassword":"a fine passphrase","newPassword":"another passphrase"}""", "user"),
        new("POST", "/api/v1/admin/users", """{"email":"y@example.com","password":"a fine passphrase","firstName":"A"}""", "admin"),
        new("PATCH", "/api/v1/admin/users/{user}", """{"firstName":"A"}""", "admin", HasRequiredFields: false),
        new("PUT", "/api/v1/admin/users/{user}/roles", """{"roles":["admin"]}""", "admin"),
        new("PUT", "/api/v1/admin/users/{user}/disabled", """{"disabled":false}""", "admin"),
        new("POST", "/api/v1/admin/clients", """{"clientId":"c1","name":"n","secret":"0123456789abcdef0123"}""", "admin", HasRequiredFields: false),
        new("PATCH", "/api/v1/admin/clients/none", """{"name":"n"}""", "admin", HasRequiredFields: false),
        new("POST", "/api/v1/account/invitation/accept", """{"token":"abc","password":"a fine passphrase","firstName":"A"}""", "none"),
        new("POST", "/api/v1/admin/teams", """{"name":"Team"}""", "admin"),
        new("PATCH", "/api/v1/admin/teams/none", """{"name":"Team"}""", "admin"),
        new("PUT", "/api/v1/admin/teams/none/members/{user}", """{"role":"member"}""", "admin", HasRequiredFields: false),
        new("POST", "/api/v1/admin/invitations", """{"email":"z@example.com","firstName":"A"}""", "admin"),
    ];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Malformed_json_is_a_400_problem(Endpoint endpoint) =>
        await AssertProblemAsync(endpoint, """{"email": "unterminated""", 400);

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_json_array_instead_of_an_object_is_a_400_problem(Endpoint endpoint) =>
        await AssertProblemAsync(endpoint, "[1,2,3]", 400);

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_wrong_json_type_is_a_400_problem(Endpoint endpoint)
    {
        var body = JsonNode.Parse(endpoint.Body)!.AsObject();
        var first = body.First().Key;
        body[first] = new JsonObject { ["nested"] = 12345 };
        await AssertProblemAsync(endpoint, body.ToJsonString(), 400);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_unknown_field_is_a_400_problem(Endpoint endpoint)
    {
        var body = JsonNode.Parse(endpoint.Body)!.AsObject();
        body["isAdmin"] = true;
        await AssertProblemAsync(endpoint, body.ToJsonString(), 400);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Missing_required_fields_are_a_400_problem(Endpoint endpoint)
    {
        if (endpoint.HasRequiredFields)
        {
            await AssertProblemAsync(endpoint, "{}", 400);
            return;
        }
        // Every field is optional: an empty object is a valid request, answered without a 5xx
        // (and any refusal, e.g. an unknown id, is still a problem).
        using var response = await SendAsync(endpoint, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.InRange((int)response.StatusCode, 200, 499);
        if ((int)response.StatusCode >= 400)
        {
            Assert.NotEmpty(await NativeClient.ProblemCodeAsync(response));
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_one_mebibyte_string_in_any_field_is_a_4xx_problem(Endpoint endpoint)
    {
        var huge = new string('a', 1024 * 1024);
        foreach (var field in JsonNode.Parse(endpoint.Body)!.AsObject().Where(p => p.Value is JsonValue v && v.TryGetValue<string>(out _)).Select(p => p.Key).ToList())
        {
            var body = JsonNode.Parse(endpoint.Body)!.AsObject();
            body[field] = huge;
            await AssertProblemAsync(endpoint, body.ToJsonString(), null);
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_body_that_is_not_json_is_a_415_problem(Endpoint endpoint)
    {
        using var response = await SendAsync(endpoint, new StringContent(endpoint.Body, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", await NativeClient.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task A_refused_registration_leaves_no_user_and_no_email_behind()
    {
        var email = Emails.New();
        var api = fixture.Native();
        var refused = await api.PostAsync("/api/v1/account/register", new { email, password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.PostAsync("/api/v1/account/sign-in", new { login = email, password = "short" })).StatusCode);
        await api.RegisterAsync(email);
        await MailDev.WaitForAsync(email, "Confirm your email");
        // The outbox is where the refused request's mail would be: once nothing in it is left to
        // send, maildev has everything that will ever arrive.
        Assert.Single(await Outbox.WaitUntilDeliveredAsync(fixture.Database, email));
        Assert.Single(await MailDev.ForAsync(email));
    }

    private async Task AssertProblemAsync(Endpoint endpoint, string body, int? status)
    {
        using var response = await SendAsync(endpoint, new StringContent(body, Encoding.UTF8, "application/json"));
        var code = (int)response.StatusCode;
        if (status is not null)
        {
            Assert.Equal(status, code);
        }
        Assert.InRange(code, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await NativeClient.ProblemCodeAsync(response));
    }

    private async Task<HttpResponseMessage> SendAsync(Endpoint endpoint, HttpContent content)
    {
        var (user, admin, userId) = await fixture.TokensAsync();
        var http = fixture.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path.Replace("{user}", userId, StringComparison.Ordinal)) { Content = content };
        var token = endpoint.Auth switch { "user" => user, "admin" => admin, _ => null };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request);
    }
}
