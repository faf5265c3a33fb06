
namespace Gatehouse.Server.Hosting;

/// <summary>
/// Fills in problems the framework writes by itself (bad JSON, wrong content type, unknown
/// route, wrong method, oversized body) with a stable <c>code</c> and a readable detail.
/// </summary>
internal static class ProblemDefaults
{
    public static void Apply(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }
        var (code, detail) = problem.Status switch
        {
            StatusCodes.Status400BadRequest => ("invalid_request", "The request body is not valid JSON of the expected shape (check field names and types)."),
            StatusCodes.Status404NotFound => ("not_found", "No such resource."),
            StatusCodes.Status405MethodNotAllowed => ("method_not_allowed", "This resource does not accept that method."),
            StatusCodes.Status413PayloadTooLarge => ("payload_too_large", "The request body is too large."),
            StatusCodes.Status415UnsupportedMediaType => ("unsupported_media_type", "Send the body as application/json."),
            StatusCodes.Status429TooManyRequests => ("rate_limited", "Too many requests; try again later."),
            >= 500 => ("server_error", "Something went wrong on our side; it has been logged."),
            _ => ("error", problem.Title ?? "Error"),
        };
        problem.Extensions["code"] = code;
        problem.Detail ??= detail;
        problem.Extensions.Remove("exception");
    }
}
