"""The course content and the code that loads and validates it.

`load_course()` returns the whole validated `Course` or raises `CourseError`
listing every problem; this package imports nothing else of ours.
"""

from course.loader import DEFAULT_CONTENT, check_course, load_course
from course.models import Course
from course.problems import CourseError, Problem

__all__ = ["DEFAULT_CONTENT", "Course", "CourseError", "Problem", "check_course", "load_course"]
