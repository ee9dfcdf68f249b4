// filled in by the interviewer-side work (issue 13)
export {};
