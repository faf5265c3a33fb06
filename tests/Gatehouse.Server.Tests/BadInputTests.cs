using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
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
        private Ids? _ids;

        /// <summary>A user and an admin signed in, and a client and a team for the routes that change one.</summary>
        public async Task<Ids> IdsAsync()
        {
            await _lock.WaitAsync();
            try
            {
                if (_ids is null)
                {
                    var api = Native();
                    var email = Emails.New();
                    var userId = (await api.RegisterAsync(email)).GetProperty("id").GetString()!;
                    var user = (await api.SignInAsync(email)).AccessToken;
                    var (adminEmail, adminPassword) = await CreateAdminAsync();
                    var admin = (await api.SignInAsync(adminEmail, adminPassword)).AccessToken;
                    var client = await api.SendAsync(HttpMethod.Post, "/api/v1/admin/clients", admin, new { clientId = "bad-input-client" });
                    Assert.Equal(HttpStatusCode.Created, client.StatusCode);
                    var team = await api.SendAsync(HttpMethod.Post, "/api/v1/admin/teams", admin, new { name = "Bad input team" });
                    Assert.Equal(HttpStatusCode.Created, team.StatusCode);
                    var teamId = (await team.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                    _ids = new Ids(user, admin, userId, "bad-input-client", teamId);
                }
                return _ids;
            }
            finally
            {
                _lock.Release();
            }
        }
    }

    public sealed record Ids(string UserToken, string AdminToken, string UserId, string ClientId, string TeamId);

    /// <summary>
    /// An endpoint, a valid body for it, who may call it, and what it answers to an empty object:
    /// the field it then names as required, or (every field optional) its success status.
    /// </summary>
    public sealed record Endpoint(string Method, string Path, string Body, string Auth, string? Requires, int EmptyStatus = 400)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    public static readonly TheoryData<Endpoint> Endpoints =
    [
        new("POST", "/api/v1/account/register", """{"email":"x@example.com","password":"a fine passphrase","firstName":"A"}""", "none", "password"),
        new("POST", "/api/v1/account/sign-in", """{"login":"x@example.com","password":"a fine passphrase"}""", "none", "login"),
        new("POST", "/api/v1/account/refresh", """{"refreshToken":"abc"}""", "none", "refreshToken"),
        new("POST", "/api/v1/account/email/confirm", """{"token":"abc"}""", "none", "token"),
        new("POST", "/api/v1/account/password/reset-request", """{"login":"x@example.com"}""", "none", "login"),
        new("POST", "/api/v1/account/password/reset", """{"token":"abc","newPassword":"a fine passphrase"}""", "none", "token"),
        // A PATCH of no field changes nothing (a merge patch, RFC 7396): the unchanged profile.
        new("PATCH", "/api/v1/account/me", """{"firstName":"A","bio":"b"}""", "user", null, 200),
        new("POST", "/api/v1/account/password/change", """{"currentPassword":"a fine passphrase","newPassword":"another passphrase"}""", "user", "currentPassword"),
        new("POST", "/api/v1/admin/users", """{"email":"y@example.com","password":"a fine passphrase","firstName":"A"}""", "admin", "password"),
        new("PATCH", "/api/v1/admin/users/{user}", """{"firstName":"A"}""", "admin", null, 200),
        new("PUT", "/api/v1/admin/users/{user}/roles", """{"roles":["admin"]}""", "admin", "roles"),
        new("PUT", "/api/v1/admin/users/{user}/disabled", """{"disabled":false}""", "admin", "disabled"),
        // Every field optional by design: the core makes up the client id and the secret, and the name is the id.
        new("POST", "/api/v1/admin/clients", """{"clientId":"c1","name":"n","secret":"0123456789abcdef0123"}""", "admin", null, 201),
        new("PATCH", "/api/v1/admin/clients/{client}", """{"name":"n"}""", "admin", null, 200),
        new("POST", "/api/v1/account/invitation/accept", """{"token":"abc","password":"a fine passphrase","firstName":"A"}""", "none", "token"),
        new("POST", "/api/v1/admin/teams", """{"name":"Team"}""", "admin", "name"),
        new("PATCH", "/api/v1/admin/teams/{team}", """{"name":"Team"}""", "admin", "name"),
        // Without a role the user joins as a member.
        new("PUT", "/api/v1/admin/teams/{team}/members/{user}", """{"role":"member"}""", "admin", null, 200),
        new("POST", "/api/v1/admin/invitations", """{"email":"z@example.com","firstName":"A"}""", "admin", "email"),
    ];

    /// <summary>
    /// The endpoints whose body holds a string. PUT /admin/users/{id}/disabled takes only a bool,
    /// so it has no string to make huge and is left out here (a string in its place is the
    /// wrong-type case above).
    /// </summary>
    public static readonly TheoryData<Endpoint> EndpointsWithStrings = WithStrings();

    private static TheoryData<Endpoint> WithStrings()
    {
        var rows = new TheoryData<Endpoint>();
        foreach (var endpoint in Endpoints)
        {
            if (StringPaths(endpoint.Body).Count > 0)
            {
                rows.Add(endpoint);
            }
        }
        return rows;
    }

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
    public async Task An_empty_object_is_a_400_naming_the_required_field_or_the_success_of_an_all_optional_route(Endpoint endpoint)
    {
        using var response = await SendAsync(endpoint, new StringContent("{}", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(endpoint.EmptyStatus == (int)response.StatusCode, $"Expected {endpoint.EmptyStatus}, got {(int)response.StatusCode}: {body}");
        if (endpoint.Requires is null)
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            return;
        }
        Assert.Equal("validation_failed", await NativeClient.ProblemCodeAsync(response));
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Equal(endpoint.Requires, Assert.Single(errors.EnumerateObject()).Name);
        Assert.Equal("required", Assert.Single(errors.GetProperty(endpoint.Requires).EnumerateArray()).GetString());
    }

    [Theory]
    [MemberData(nameof(EndpointsWithStrings))]
    public async Task A_one_mebibyte_string_in_any_field_is_a_4xx_problem(Endpoint endpoint)
    {
        var huge = new string('a', 1024 * 1024);
        foreach (var (field, index) in StringPaths(endpoint.Body))
        {
            var body = JsonNode.Parse(endpoint.Body)!.AsObject();
            if (index is { } i)
            {
                body[field]!.AsArray()[i] = huge;
            }
            else
            {
                body[field] = huge;
            }
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
        var ids = await fixture.IdsAsync();
        var path = endpoint.Path
            .Replace("{user}", ids.UserId, StringComparison.Ordinal)
            .Replace("{client}", ids.ClientId, StringComparison.Ordinal)
            .Replace("{team}", ids.TeamId, StringComparison.Ordinal);
        var http = fixture.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path) { Content = content };
        var token = endpoint.Auth switch { "user" => ids.UserToken, "admin" => ids.AdminToken, _ => null };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request);
    }

    /// <summary>Where a body holds a string: a top-level field's value, or an item of a top-level array.</summary>
    private static List<(string Field, int? Index)> StringPaths(string json)
    {
        var paths = new List<(string Field, int? Index)>();
        foreach (var (name, value) in JsonNode.Parse(json)!.AsObject())
        {
            if (value is JsonValue text && text.TryGetValue<string>(out _))
            {
                paths.Add((name, null));
            }
            else if (value is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue item && item.TryGetValue<string>(out _))
                    {
                        paths.Add((name, i));
                    }
                }
            }
        }
        return paths;
    }
}
